package org.migdal.dm.compress;

import org.migdal.dm.storage.Adler32s;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.StorageNames;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.Adler32;

/**
 * Compresses a raw stream to a file in one pass and verifies it on the same bytes as they are produced: the compressed
 * bytes go to the file and, at the same time, to a decompressor ({@link Verifier}) whose output must have the raw size
 * and adler32. Nothing is read twice. With {@link Programs} the compressor and the decompressor are system programs fed
 * through pipes; without, in-process streams.
 */
public final class Compressor {
    static final int BUFFER = 1 << 17;

    /** How long the programs of one file may be silent (no raw byte read, no compressed byte out) before they are killed. */
    static final Duration STALL_LIMIT = Duration.ofMinutes(10);

    private final Codec codec;
    private final int level;
    private final Programs programs;
    private final Duration stallLimit;

    /** In-process (for tests and tools that need no programs). */
    public Compressor(Codec codec, int level) {
        this(codec, level, null);
    }

    /** With {@code programs} (null: in-process); see {@link Toolbox}. */
    public Compressor(Codec codec, int level, Programs programs) {
        this(codec, level, programs, STALL_LIMIT);
    }

    Compressor(Codec codec, int level, Programs programs, Duration stallLimit) {
        this.codec = codec;
        this.level = level;
        this.programs = programs;
        this.stallLimit = stallLimit;
    }

    public Codec codec() {
        return codec;
    }

    public int level() {
        return level;
    }

    /** How this compressor works, for logs and the catalog's history. */
    public String describe() {
        return programs != null ? programs.describe()
                : codec.id() + " -" + level + " in-process, verified by decompressing in-process";
    }

    /** Adler32 and size of the raw input, of the compressed output, and of what decompressing that output gave. */
    public record Result(long rawBytes, String rawAdler32, long compressedBytes, String compressedAdler32, Adler32s.Sum decompressed) {
    }

    /**
     * Compresses {@code raw} into {@code target}. Throws {@link VerificationFailed} when the decompressor fails or its
     * output is not the raw bytes' size and adler32, an {@link IOException} naming the program when the compressor fails.
     */
    public Result compress(InputStream raw, Path target) throws IOException {
        Adler32 rawSum = new Adler32();
        long[] rawBytes = new long[1];
        Tee tee;
        Adler32s.Sum check;
        // the programs' stderr, beside the target under temporary names (the janitor's, should this process be killed)
        Path dir = target.toAbsolutePath().getParent();
        Path verifyErrors = dir.resolve(StorageNames.newTempName());
        Path compressErrors = dir.resolve(StorageNames.newTempName());
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(target), BUFFER);
             Verifier verifier = programs == null ? Verifier.inProcess(codec) : Verifier.program(programs.decompress(), verifyErrors)) {
            tee = new Tee(file, verifier);
            if (programs == null) {
                // buffered: the in-process compressors write their output a byte at a time
                try (OutputStream z = codec.compressing(new BufferedOutputStream(tee, BUFFER), level)) {
                    rawBytes[0] = copy(raw, z, rawSum);
                }
            } else {
                try (Watchdog dog = new Watchdog(stallLimit, "compress-watchdog")) {
                    dog.onFire(verifier::kill);
                    try {
                        compressWithProgram(raw, tee, rawSum, rawBytes, compressErrors, dog);
                    } catch (IOException e) {
                        throw dog.fired() ? stalled(dog, e) : e;
                    }
                }
            }
            file.flush();
            check = verifier.finish();
        } finally {
            Files.deleteIfExists(verifyErrors);
            Files.deleteIfExists(compressErrors);
        }
        long raws = rawBytes[0];
        Checksum rawAdler = Checksum.adler32(rawSum.getValue());
        if (check.bytes() != raws || !check.adler32().equals(rawAdler)) {
            throw new VerificationFailed("decompressing the " + codec.id() + " copy (" + describe() + ") gave " + check.bytes()
                    + " bytes with adler32 " + check.adler32() + " instead of the " + raws + " bytes with adler32 " + rawAdler + " read");
        }
        return new Result(raws, rawAdler.value(), tee.count, Adler32s.hex(tee.sum.getValue()), check);
    }

    /**
     * Feeds {@code raw} to the compressing program from a second thread while this one takes its output into {@code tee}.
     * A failed read of {@code raw} is reported as itself (the program then sees its input end and is not believed); a
     * program that fails is reported with its exit status and the end of what it wrote to stderr.
     */
    private void compressWithProgram(InputStream raw, Tee tee, Adler32 rawSum, long[] rawBytes, Path errors, Watchdog dog)
            throws IOException {
        String command = String.join(" ", programs.compress());
        Process p = new ProcessBuilder(programs.compress()).redirectError(errors.toFile()).start();
        dog.onFire(p::destroyForcibly);
        Throwable[] readError = new Throwable[1];
        IOException[] writeError = new IOException[1];
        Thread feeder = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                byte[] buf = new byte[BUFFER];
                long n = 0;
                int r;
                while ((r = raw.read(buf)) >= 0) {
                    dog.progressed();
                    rawSum.update(buf, 0, r);
                    n += r;
                    try {
                        in.write(buf, 0, r);
                    } catch (IOException e) {
                        writeError[0] = e;
                        return;
                    }
                }
                rawBytes[0] = n;
            } catch (Throwable e) {
                readError[0] = e;
            }
        }, "compress-feed");
        feeder.setDaemon(true);
        feeder.start();
        try {
            try (InputStream out = p.getInputStream()) {
                byte[] buf = new byte[BUFFER];
                int r;
                while ((r = out.read(buf)) >= 0) {
                    dog.progressed();
                    tee.write(buf, 0, r);
                }
            }
            if (dog.fired()) {
                // the feeder may be stuck in a read of the raw copy that never returns: not waited for
                throw new IOException(command + " was killed");
            }
            feeder.join();
            int exit = p.waitFor();
            if (readError[0] != null) {
                throw rethrow(readError[0]);
            }
            if (exit != 0) {
                throw new IOException(command + " exited with status " + exit + Verifier.tail(errors));
            }
            if (writeError[0] != null) {
                throw new IOException(command + " stopped reading its input: " + writeError[0].getMessage() + Verifier.tail(errors));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + command + " ran", e);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private IOException stalled(Watchdog dog, IOException e) {
        return new IOException(String.join(" ", programs.compress()) + " and " + String.join(" ", programs.decompress())
                + " were killed after " + (dog.limit().toSeconds() >= 60 ? dog.limit().toMinutes() + " min" : dog.limit().toMillis() + " ms")
                + " without progress: no raw"
                + " byte read and no compressed byte produced (a hung read of the raw copy, or a hung program)", e);
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException e) {
            return e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t);
    }

    private static long copy(InputStream raw, OutputStream to, Adler32 sum) throws IOException {
        byte[] buf = new byte[BUFFER];
        long n = 0;
        int r;
        while ((r = raw.read(buf)) >= 0) {
            if (r > 0) {
                sum.update(buf, 0, r);
                to.write(buf, 0, r);
                n += r;
            }
        }
        return n;
    }

    /** Decompresses a file in-process and returns the size and adler32 of what it reproduces. */
    public Adler32s.Sum decompressedSum(Path compressed) throws IOException {
        try (InputStream in = codec.decompressing(new BufferedInputStream(Files.newInputStream(compressed), BUFFER))) {
            return Adler32s.of(in);
        }
    }

    /** Decompressing did not give back the raw bytes, or the decompressor failed. */
    public static final class VerificationFailed extends IOException {
        private static final long serialVersionUID = 1L;

        public VerificationFailed(String message) {
            super(message);
        }

        public VerificationFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The compressed bytes, counted and summed, written to the file and to the verifier. Closing it closes neither. */
    private static final class Tee extends OutputStream {
        final OutputStream file;
        final Verifier verifier;
        final Adler32 sum = new Adler32();
        long count;

        Tee(OutputStream file, Verifier verifier) {
            this.file = file;
            this.verifier = verifier;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            file.write(b, off, len);
            sum.update(b, off, len);
            count += len;
            verifier.write(b, off, len);
        }

        @Override
        public void close() {
            // the file and the verifier are closed by their owner
        }
    }
}
