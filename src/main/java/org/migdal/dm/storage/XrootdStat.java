package org.migdal.dm.storage;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code xrdfs HOST stat PATH} prints, parsed: the size and the kXR stat flags. The text looks like
 * <pre>
 * Path:   /eos/antares/prod/migdal/f.bz2
 * Id:     …
 * Size:   10485760
 * MTime:  2026-11-28 21:24:59
 * …
 * Flags:  152 (Offline|IsReadable|BackUpExists)
 * </pre>
 * The numeric value of the {@code Flags:} line is authoritative (the names in brackets are only xrdfs's rendering).
 * Flag values (XProtocol.hh): XBitSet 1, IsDir 2, Other 4, Offline 8, IsReadable 16, IsWritable 32,
 * POSCPending 64, BackUpExists 128.
 */
record XrootdStat(long size, int flags) {
    static final int X_BIT_SET = 1;
    static final int IS_DIR = 2;
    static final int OTHER = 4;
    static final int OFFLINE = 8;
    static final int IS_READABLE = 16;
    static final int IS_WRITABLE = 32;
    static final int POSC_PENDING = 64;
    static final int BACKUP_EXISTS = 128;

    private static final Pattern SIZE = Pattern.compile("(?m)^\\s*Size:\\s*(\\d+)\\s*$");
    private static final Pattern FLAGS = Pattern.compile("(?m)^\\s*Flags:\\s*(\\d+)\\b(?:\\s*\\(([^)]*)\\))?");

    /** Parses xrdfs stat output; throws IllegalArgumentException when the Size or Flags line is missing. */
    static XrootdStat parse(String text) {
        Matcher s = SIZE.matcher(text);
        Matcher f = FLAGS.matcher(text);
        if (!s.find()) {
            throw new IllegalArgumentException("no 'Size:' line in xrdfs stat output: " + XrootdCommand.excerpt(text, 300));
        }
        if (!f.find()) {
            throw new IllegalArgumentException("no 'Flags:' line in xrdfs stat output: " + XrootdCommand.excerpt(text, 300));
        }
        int flags = Integer.parseInt(f.group(1));
        // the names in brackets must not contradict the number (a garbled line is refused, not half-believed)
        if (f.group(2) != null && !f.group(2).isBlank()) {
            String names = f.group(2).toLowerCase(Locale.ROOT);
            if (names.contains("backupexists") != ((flags & BACKUP_EXISTS) != 0)
                    || names.contains("offline") != ((flags & OFFLINE) != 0)) {
                throw new IllegalArgumentException("xrdfs stat Flags line contradicts itself: " + f.group());
            }
        }
        return new XrootdStat(Long.parseLong(s.group(1)), flags);
    }

    boolean isDirectory() {
        return (flags & IS_DIR) != 0;
    }

    boolean isOther() {
        return (flags & OTHER) != 0;
    }

    /** No disk copy: EOS sets it for a tape-only file of non-zero size; dCache for NEARLINE/LOST/UNAVAILABLE. */
    boolean offline() {
        return (flags & OFFLINE) != 0;
    }

    /** A tape copy exists: EOS sets it iff the file has its tape replica; dCache and stock XRootD never set it. */
    boolean backUpExists() {
        return (flags & BACKUP_EXISTS) != 0;
    }

    /** Created with persist-on-successful-close and not yet closed: an upload in progress or abandoned. */
    boolean poscPending() {
        return (flags & POSC_PENDING) != 0;
    }

    RemoteFile toRemoteFile(String path) {
        return new RemoteFile(path, size, !offline(), backUpExists());
    }
}
