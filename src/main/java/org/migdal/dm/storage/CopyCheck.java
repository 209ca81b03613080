package org.migdal.dm.storage;

import java.util.Objects;
import java.util.Optional;

/**
 * The one answer to "is the copy at this endpoint what we expect": it exists, has the expected size and adler32 as the
 * storage itself reports them, and, for a tape copy, is on tape as far as the endpoint can tell. Every stage that
 * believes a copy (shipping, deleting a DAQ copy, compression, the tape movers, raw clean-up, recalls) asks here, and
 * records the {@link Evidence} it returns.
 *
 * <p>A {@link StorageException} while asking propagates: an endpoint that cannot answer is not a mismatch.
 */
public final class CopyCheck {
    private CopyCheck() {
    }

    /** Whether, and how strictly, tape residency is part of the confirmation. */
    public enum Residency {
        /** A disk copy: exists, size and adler32 only. */
        NOT_ASKED,
        /**
         * A tape copy whose residency is asked and recorded but not required ({@code archive.requireTapeResidency: false},
         * e.g. a test server with no tape behind it): size and adler32 decide, and the evidence says so.
         */
        RECORDED,
        /**
         * A tape copy that must be reported on tape where the endpoint can tell (Tape REST API {@code TAPE} or
         * {@code DISK_AND_TAPE}, xroot {@code BackUpExists}). Where the protocol has no way to tell ({@code file://})
         * size and adler32 stand, and the evidence says so; an https endpoint that offers no Tape REST API cannot
         * confirm at all (a {@link StorageException}).
         */
        REQUIRED
    }

    /** What confirmed a copy; {@code tape} is how its tape copy was confirmed, {@code null} when residency was not asked. */
    public record Evidence(String url, long size, Checksum checksum, String tape) {
        public Evidence {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(checksum, "checksum");
        }

        /** {@code "<url> has 123 bytes and adler32 0a1b2c3d"}, plus {@code "; tape: <evidence>"} for a tape copy. */
        public String describe() {
            return url + " has " + size + " bytes and adler32 " + checksum.value() + (tape == null ? "" : "; tape: " + tape);
        }
    }

    /** Which expectation the copy failed. */
    public enum Problem { MISSING, SIZE, CHECKSUM, NOT_ON_TAPE }

    /** The result of a confirmation: {@link Confirmed} or {@link Mismatch}. */
    public sealed interface Outcome permits Confirmed, Mismatch {
        /** The evidence if confirmed, else empty. */
        default Optional<Evidence> confirmed() {
            return this instanceof Confirmed c ? Optional.of(c.evidence()) : Optional.empty();
        }
    }

    /** The copy is what was expected. */
    public record Confirmed(Evidence evidence) implements Outcome {
    }

    /**
     * The copy is not what was expected: which check failed, the URL, what was expected and what the endpoint said
     * (sizes as byte counts, checksums as 8 hex digits, tape as the endpoint's words).
     */
    public record Mismatch(Problem problem, String url, String expected, String found) implements Outcome {
        public String message() {
            return switch (problem) {
                case MISSING -> url + " is missing (no file there), expected " + expected;
                case SIZE -> url + " has " + found + " bytes, expected " + expected;
                case CHECKSUM -> url + " has adler32 " + found + ", expected " + expected;
                case NOT_ON_TAPE -> url + " is not yet on tape: " + found + "; expected " + expected;
            };
        }
    }

    /**
     * Confirms the copy at {@code path} on {@code endpoint}: it exists, has {@code expectedSize} bytes and the adler32
     * {@code expected} as the storage reports them, and, per {@code residency}, is on tape.
     */
    public static Outcome confirm(StorageEndpoint endpoint, String path, long expectedSize, Checksum expected, Residency residency)
            throws StorageException {
        Objects.requireNonNull(expected, "expected checksum");
        String url = endpoint.urlOf(path);
        Optional<RemoteFile> stat = endpoint.stat(path);
        if (stat.isEmpty()) {
            return new Mismatch(Problem.MISSING, url, expectedSize + " bytes with adler32 " + expected.value(), "no file");
        }
        if (stat.get().size() != expectedSize) {
            return new Mismatch(Problem.SIZE, url, String.valueOf(expectedSize), String.valueOf(stat.get().size()));
        }
        Checksum found = endpoint.checksum(path);
        if (!found.equals(expected)) {
            return new Mismatch(Problem.CHECKSUM, url, expected.value(), found.value());
        }
        if (residency == Residency.NOT_ASKED) {
            return new Confirmed(new Evidence(url, expectedSize, found, null));
        }
        TapeResidency t = endpoint.tapeResidency(path, stat.get());
        String tape = switch (t.state()) {
            case ON_TAPE -> t.evidence();
            case NO_INFORMATION -> "size+adler32 only (" + t.evidence() + ")";
            case NOT_ON_TAPE -> {
                if (residency == Residency.REQUIRED) {
                    yield null;
                }
                yield "size+adler32 only (tape residency not required by archive.requireTapeResidency; " + t.evidence() + ")";
            }
            case NOT_OFFERED -> {
                if (residency == Residency.REQUIRED) {
                    throw new StorageException(StorageException.Kind.OTHER, url, "cannot confirm the tape copy: " + t.evidence()
                            + ". Set storage.tapeRestApi to the tape REST API, or archive.requireTapeResidency: false to accept"
                            + " size and adler32 alone");
                }
                yield "size+adler32 only (tape residency not required by archive.requireTapeResidency; " + t.evidence() + ")";
            }
        };
        if (tape == null) {
            return new Mismatch(Problem.NOT_ON_TAPE, url, "a tape copy (Tape REST locality TAPE or DISK_AND_TAPE, or xroot BackUpExists)",
                    t.evidence());
        }
        return new Confirmed(new Evidence(url, expectedSize, found, tape));
    }
}
