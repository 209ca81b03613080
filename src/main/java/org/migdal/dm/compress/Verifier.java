package org.migdal.dm.compress;

import org.migdal.dm.storage.Adler32s;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A decompressor running beside the compressor, fed the compressed bytes as they are produced; {@link #finish} says what
 * it reproduced. A decompressor that fails, or stops reading early, makes {@link #finish} throw
 * {@link Compressor.VerificationFailed}; writing to it never fails the compression itself (the file is still written,
 * then not believed).
 */
abstract class Verifier implements AutoCloseable {
    private IOException broken;
    private Adler32s.Sum sum;
    private Throwable readFailure;
    private final Thread reader;

    protected Verifier(String name) {
        this.reader = new Thread(this::drain, name);
        this.reader.setDaemon(true);
    }

    /** Decompresses with a system program (command: program path first, reading stdin, writing stdout). */
    static Verifier program(List<String> command, Path errors) throws IOException {
        return new ProgramVerifier(command, errors);
    }

    /** Decompresses in-process on a thread of its own. */
    static Verifier inProcess(Codec codec) {
        return new InProcessVerifier(codec);
    }

    protected final void start() {
        reader.start();
    }

    private void drain() {
        try (InputStream out = output()) {
            sum = Adler32s.of(out);
            leftover();
        } catch (Throwable e) {
            readFailure = e;
        }
    }

    /** What the decompressor reproduces. */
    protected abstract InputStream output() throws IOException;

    /** Checks nothing was left unread after the end of the compressed data (in-process only). */
    protected void leftover() throws IOException {
    }

    protected abstract void send(byte[] b, int off, int len) throws IOException;

    /** Ends the compressed input. */
    protected abstract void endInput() throws IOException;

    /** After the reader ended: the decompressor's own failure, or null. */
    protected abstract String failure() throws InterruptedException;

    /** What the verifier is, for messages. */
    protected abstract String what();

    /** Stops the decompressor if it still runs. */
    @Override
    public abstract void close();

    /** Kills a decompressing program at once, from any thread (the watchdog's); nothing for an in-process one. */
    void kill() {
    }

    final void write(byte[] b, int off, int len) {
        if (broken != null) {
            return;
        }
        try {
            send(b, off, len);
        } catch (IOException e) {
            broken = e;
        }
    }

    /** Ends the input, waits for the decompressor and returns the size and adler32 of what it reproduced. */
    final Adler32s.Sum finish() throws Compressor.VerificationFailed {
        try {
            try {
                endInput();
            } catch (IOException e) {
                broken = broken == null ? e : broken;
            }
            reader.join();
            String failed = failure();
            if (failed != null) {
                throw new Compressor.VerificationFailed(what() + " failed: " + failed);
            }
            if (readFailure != null) {
                throw new Compressor.VerificationFailed(what() + " failed: " + readFailure, readFailure);
            }
            if (broken != null) {
                throw new Compressor.VerificationFailed(what() + " stopped reading the compressed bytes: " + broken.getMessage(), broken);
            }
            return sum;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Compressor.VerificationFailed("interrupted while " + what() + " ran", e);
        }
    }

    /** The end of a program's stderr file, as ": …" for a message, or "". */
    static String tail(Path errors) {
        try {
            byte[] b = Files.readAllBytes(errors);
            String t = new String(b, Math.max(0, b.length - 400), Math.min(400, b.length), StandardCharsets.UTF_8).trim();
            return t.isEmpty() ? " (nothing on stderr)" : ": " + t.replace('\n', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** A system program: stdin the compressed bytes, stdout the raw bytes, stderr to a file. */
    private static final class ProgramVerifier extends Verifier {
        private final List<String> command;
        private final Path errors;
        private final Process process;
        private final OutputStream stdin;

        ProgramVerifier(List<String> command, Path errors) throws IOException {
            super("verify-drain");
            this.command = command;
            this.errors = errors;
            this.process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            this.stdin = process.getOutputStream();
            start();
        }

        @Override
        protected InputStream output() {
            return process.getInputStream();
        }

        @Override
        protected void send(byte[] b, int off, int len) throws IOException {
            stdin.write(b, off, len);
        }

        @Override
        protected void endInput() throws IOException {
            stdin.close();
        }

        @Override
        protected String failure() throws InterruptedException {
            int exit = process.waitFor();
            return exit == 0 ? null : "exit status " + exit + tail(errors);
        }

        @Override
        protected String what() {
            return String.join(" ", command);
        }

        @Override
        void kill() {
            process.destroyForcibly();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            try {
                stdin.close();
            } catch (IOException e) {
                // the program is gone
            }
        }
    }

    /** The codec's in-process stream on a thread, fed through a bounded pipe. */
    private static final class InProcessVerifier extends Verifier {
        private final Codec codec;
        private final ChunkPipe pipe = new ChunkPipe(8);

        InProcessVerifier(Codec codec) {
            super("verify-" + codec.id());
            this.codec = codec;
            start();
        }

        @Override
        protected InputStream output() throws IOException {
            return codec.decompressing(pipe.input());
        }

        @Override
        protected void leftover() throws IOException {
            long extra = pipe.input().skip(Long.MAX_VALUE);
            if (extra > 0) {
                throw new IOException(extra + " bytes follow the end of the compressed data");
            }
        }

        @Override
        protected void send(byte[] b, int off, int len) throws IOException {
            pipe.write(b, off, len);
        }

        @Override
        protected void endInput() throws IOException {
            pipe.close();
        }

        @Override
        protected String failure() {
            return null;
        }

        @Override
        protected String what() {
            return "decompressing " + codec.id() + " in-process";
        }

        @Override
        public void close() {
            pipe.abandon();
        }
    }
}
