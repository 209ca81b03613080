package org.migdal.dm.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * When each place was last swept, kept across runs (cron starts a new process every few minutes) as one small file per
 * place in a folder ({@code archive.workDir}): {@code .janitor-<hash of the URL>}, holding the URL, its modification
 * time the time of the sweep. The janitor never takes these for temporaries (other name pattern).
 */
public final class JanitorStamps {
    private final Path dir;
    private final Duration every;
    private final Clock clock;

    public JanitorStamps(Path dir, Duration every, Clock clock) {
        this.dir = dir;
        this.every = every;
        this.clock = clock;
    }

    /** Whether {@code where} was not swept within the interval (or never, or its stamp cannot be read). */
    public boolean due(String where) {
        Path f = stamp(where);
        try {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
            Instant last = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant();
            return !last.plus(every).isAfter(clock.instant());
        } catch (IOException e) {
            return true;
        }
    }

    /** Records a sweep of {@code where} now; a stamp that cannot be written only means the next run sweeps again. */
    public void done(String where) {
        Path f = stamp(where);
        try {
            Files.createDirectories(dir);
            Files.writeString(f, where + "\n", StandardCharsets.UTF_8);
            Files.setLastModifiedTime(f, FileTime.from(clock.instant()));
        } catch (IOException e) {
            // swept again next run: harmless
        }
    }

    Path stamp(String where) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(where.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(".janitor-" + HexFormat.of().formatHex(h, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
