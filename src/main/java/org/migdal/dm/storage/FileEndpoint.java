package org.migdal.dm.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.Adler32;

/**
 * A POSIX directory as storage ({@code file:///path}), also a dCache NFS mount. Uploads go to a hidden
 * temporary name in the target folder ({@link StorageNames}), are fsynced and renamed into place, so a partial upload never
 * carries the final name. The checksum is confirmed by re-reading the stored bytes.
 */
public final class FileEndpoint implements StorageEndpoint {

    private final URI base;
    private final Path root;

    public FileEndpoint(URI base) {
        if (!"file".equals(base.getScheme())) {
            throw new IllegalArgumentException("not a file:// URL: " + base);
        }
        this.base = base;
        this.root = Path.of(base).toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public URI base() {
        return base;
    }

    /** Resolves a relative path under the root, refusing anything that would leave it. */
    Path resolve(String path) throws StorageException {
        String rel = path.startsWith("/") ? path.substring(1) : path;
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new StorageException(StorageException.Kind.DENIED, urlOf(path), "path leaves the storage base " + root);
        }
        // a symbolic link to a folder below the root would lead reads, writes and deletes out of the base
        for (Path dir = p.getParent(); dir != null && !dir.equals(root); dir = dir.getParent()) {
            if (Files.isSymbolicLink(dir)) {
                throw new StorageException(StorageException.Kind.DENIED, urlOf(path),
                        "passes through the symbolic link " + dir + "; not followed");
            }
        }
        return p;
    }

    @Override
    public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
        return put(source, size, path, overwrite, Fence.NONE);
    }

    @Override
    public Sent put(InputStream source, long size, String path, boolean overwrite, Fence fence) throws StorageException {
        try {
            return write(size, path, overwrite, fence, out -> {
                Adler32 adler = new Adler32();
                byte[] buf = new byte[BUFFER];
                ByteBuffer wrapped = ByteBuffer.wrap(buf);
                long n = 0;
                int r;
                while ((r = source.read(buf)) > 0) {
                    adler.update(buf, 0, r);
                    out.write(wrapped.clear().limit(r));
                    n += r;
                }
                return new Sent(n, Checksum.adler32(adler.getValue()));
            });
        } catch (SourceException e) {
            throw new StorageException(classify(e.getCause()), urlOf(path), "upload failed: " + describe(e.getCause()), e.getCause());
        }
    }

    /**
     * A local file to {@code path}: read once into two direct buffers in turn (never onto the Java heap); each buffer is
     * summed ({@link BackgroundAdler32}) while it is written and the next one is read, written back as it goes
     * ({@link EarlyWriteback}); then fsynced and put in place as
     * {@link #put(InputStream, long, String, boolean, Fence)} does. A failure to read the source is an
     * {@link IOException} (the source's problem), a failure to write a {@link StorageException}.
     */
    @Override
    public Sent putFile(Path source, long size, String path, boolean overwrite, Fence fence) throws StorageException, IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
             BackgroundAdler32 adler = new BackgroundAdler32(source.toString())) {
            return write(size, path, overwrite, fence, out -> {
                ByteBuffer[] buffers = {ByteBuffer.allocateDirect(BUFFER), ByteBuffer.allocateDirect(BUFFER)};
                long n = 0;
                for (int k = 0; ; k++) {
                    ByteBuffer buf = buffers[k & 1].clear();
                    int r;
                    try {
                        r = in.read(buf);
                    } catch (IOException e) {
                        throw new SourceException(e);
                    }
                    if (r < 0) {
                        return new Sent(n, adler.value());
                    }
                    adler.add(buf.flip());
                    out.write(buf);
                    n += r;
                }
            });
        } catch (SourceException e) {
            throw e.getCause();
        }
    }

    /** 1 MiB: big enough for few system calls, small enough that the bytes summed are still in cache when written. */
    private static final int BUFFER = 1 << 20;

    /** Fills the temporary upload; returns the byte count and the adler32 of what it wrote. */
    @FunctionalInterface
    private interface Filler {
        Sent fill(EarlyWriteback out) throws IOException;
    }

    /** Reading the source failed (not the storage). */
    private static final class SourceException extends IOException {
        private static final long serialVersionUID = 1L;

        SourceException(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /**
     * Writes the temporary upload and, every {@link #EVERY} bytes, starts writing back what is written so far
     * ({@code fdatasync} on a helper thread) while the copy goes on, so that the final fsync has only the tail left
     * (the kernel would otherwise start only at that fsync). A failed early write-back fails the upload.
     */
    private static final class EarlyWriteback implements AutoCloseable {
        static final long EVERY = 64L << 20;
        private final FileChannel ch;
        private ExecutorService thread;
        private Future<?> pending;
        private long unflushed;

        EarlyWriteback(FileChannel ch) {
            this.ch = ch;
        }

        void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                unflushed += ch.write(b);
            }
            if (unflushed >= EVERY && (pending == null || pending.isDone())) {
                check();
                unflushed = 0;
                if (thread == null) {
                    thread = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "write-back");
                        t.setDaemon(true);
                        return t;
                    });
                }
                pending = thread.submit(() -> {
                    ch.force(false);
                    return null;
                });
            }
        }

        /** Waits for the write-back in flight; its failure is the upload's. */
        void check() throws IOException {
            if (pending == null) {
                return;
            }
            try {
                pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted during write-back");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } finally {
                pending = null;
            }
        }

        /** Everything written is on disk (fsync, after the write-back in flight). */
        void force() throws IOException {
            check();
            ch.force(true);
        }

        @Override
        public void close() {
            if (thread != null) {
                thread.shutdownNow();
            }
        }
    }

    private Sent write(long size, String path, boolean overwrite, Fence fence, Filler filler) throws StorageException, SourceException {
        Path target = resolve(path);
        String url = urlOf(path);
        StorageNames.checkLength(path, url);
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new StorageException(StorageException.Kind.EXISTS, url, "already exists and overwrite was not asked");
        }
        Path tmp = target.resolveSibling(StorageNames.newTempName());
        try {
            Files.createDirectories(target.getParent());
            Sent sent;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 EarlyWriteback out = new EarlyWriteback(ch)) {
                sent = filler.fill(out);
                out.force();
            }
            long n = sent.bytes();
            if (n != size) {
                throw new StorageException(StorageException.Kind.CORRUPT, url,
                        "source gave " + n + " bytes, expected " + size + "; upload abandoned");
            }
            fence.check(); // only while the claim holds is the upload put in place
            place(tmp, target, overwrite, url);
            fsyncDirectory(target.getParent());
            return sent;
        } catch (AtomicMoveNotSupportedException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "file system cannot rename atomically", e);
        } catch (SourceException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException(classify(e), url, "upload failed: " + describe(e), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the temporary name is hidden and never taken for a complete file
            }
        }
    }

    @Override
    public void moveIntoPlace(String temp, String path, boolean overwrite, Fence fence) throws StorageException {
        Path from = resolve(temp);
        Path target = resolve(path);
        String url = urlOf(path);
        StorageNames.checkLength(path, url);
        if (!Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, urlOf(temp), "the uploaded copy to put in place as " + url
                    + " is not there");
        }
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new StorageException(StorageException.Kind.EXISTS, url, "already exists and overwrite was not asked");
        }
        fence.check();
        try {
            place(from, target, overwrite, url);
            fsyncDirectory(target.getParent());
        } catch (AtomicMoveNotSupportedException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "file system cannot rename atomically", e);
        } catch (IOException e) {
            throw new StorageException(classify(e), url, "renaming " + from.getFileName() + " into place failed: " + describe(e), e);
        }
    }

    /** Renames a complete temporary to its target: replacing it only when asked, never silently (link(2) where it can). */
    private static void place(Path tmp, Path target, boolean overwrite, String url) throws IOException, StorageException {
        if (overwrite) {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        // link(2) fails if the target appeared meanwhile: no silent overwrite
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            throw new StorageException(StorageException.Kind.EXISTS, url, "appeared during the upload; not overwritten");
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
            // no hard links here (some NFS mounts): rename, after checking once more that nothing appeared
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new StorageException(StorageException.Kind.EXISTS, url, "appeared during the upload; not overwritten");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.deleteIfExists(tmp);
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened; the file itself is already synced
        }
    }

    @Override
    public Optional<RemoteFile> stat(String path) throws StorageException {
        Path p = resolve(path);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new StorageException(StorageException.Kind.OTHER, urlOf(path), "is not a regular file");
            }
            return Optional.of(new RemoteFile(path, a.size(), true, null));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException(classify(e), urlOf(path), "stat failed: " + describe(e), e);
        }
    }

    /**
     * Reads the stored bytes again (through direct buffers, never onto the Java heap) and sums them: the two halves of
     * the file each on its own thread, the two sums then combined ({@link Adler32s#combine}).
     */
    @Override
    public Checksum checksum(String path) throws StorageException {
        Path p = resolve(path);
        if (Files.isSymbolicLink(p)) {
            throw new StorageException(StorageException.Kind.DENIED, urlOf(path), "is a symbolic link; not followed");
        }
        try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = in.size();
            long half = size < 4L * BUFFER ? size : size / 2;
            CompletableFuture<Long> second = half == size ? CompletableFuture.completedFuture(1L)
                    : CompletableFuture.supplyAsync(() -> {
                        try {
                            return sumRange(in, half, size);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, r -> {
                        Thread t = new Thread(r, "adler32 " + p);
                        t.setDaemon(true);
                        t.start();
                    });
            long first = sumRange(in, 0, half);
            long rest;
            try {
                rest = second.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(e.getCause());
            }
            if (in.size() != size) {
                throw new IOException("the file changed size while it was summed (" + size + " → " + in.size() + " bytes)");
            }
            return Checksum.adler32(Adler32s.combine(first, rest, size - half));
        } catch (NoSuchFileException e) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, urlOf(path), "no such file", e);
        } catch (IOException e) {
            throw new StorageException(classify(e), urlOf(path), "checksum read failed: " + describe(e), e);
        }
    }

    /** The adler32 of bytes [from, to) of the file, read with positional reads (the channel is shared). */
    private static long sumRange(FileChannel in, long from, long to) throws IOException {
        Adler32 adler = new Adler32();
        // no larger than the range: a direct buffer is freed only by a collection, and an audit sums many small files
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.max(1, Math.min(BUFFER, to - from)));
        long pos = from;
        while (pos < to) {
            buf.clear().limit((int) Math.min(BUFFER, to - pos));
            int r = in.read(buf, pos);
            if (r < 0) {
                throw new IOException("the file ended at byte " + pos + " while " + to + " were expected");
            }
            adler.update(buf.flip());
            pos += r;
        }
        return adler.getValue();
    }

    @Override
    public InputStream open(String path) throws StorageException {
        Path p = resolve(path);
        try {
            if (Files.isSymbolicLink(p)) {
                throw new StorageException(StorageException.Kind.DENIED, urlOf(path), "is a symbolic link; not followed");
            }
            return Files.newInputStream(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, urlOf(path), "no such file", e);
        } catch (IOException e) {
            throw new StorageException(classify(e), urlOf(path), "open failed: " + describe(e), e);
        }
    }

    @Override
    public void delete(String path) throws StorageException {
        Path p = resolve(path);
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new StorageException(classify(e), urlOf(path), "delete failed: " + describe(e), e);
        }
    }

    @Override
    public List<StorageEntry> list(String directory) throws StorageException {
        String rel = directory.startsWith("/") ? directory.substring(1) : directory;
        Path dir = rel.isEmpty() ? root : resolve(directory);
        String url = urlOf(directory);
        if (Files.isSymbolicLink(dir)) {
            throw new StorageException(StorageException.Kind.DENIED, url, "is a symbolic link; not followed");
        }
        List<StorageEntry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue; // removed while listing
                }
                StorageEntry.Type type = a.isRegularFile() ? StorageEntry.Type.FILE
                        : a.isDirectory() ? StorageEntry.Type.DIRECTORY : StorageEntry.Type.OTHER;
                out.add(new StorageEntry("/" + root.relativize(p).toString().replace('\\', '/'), type,
                        type == StorageEntry.Type.FILE ? a.size() : -1, a.lastModifiedTime().toInstant()));
            }
        } catch (NoSuchFileException e) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, url, "no such folder", e);
        } catch (IOException e) {
            throw new StorageException(classify(e), url, "listing failed: " + describe(e), e);
        }
        return out;
    }

    static StorageException.Kind classify(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof NoSuchFileException) {
            return StorageException.Kind.NOT_FOUND;
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return StorageException.Kind.DENIED;
        }
        if (m.contains("No space left") || m.contains("Disk quota exceeded")) {
            return StorageException.Kind.NO_SPACE;
        }
        if (m.contains("Read-only file system")) {
            return StorageException.Kind.READ_ONLY;
        }
        return StorageException.Kind.OTHER;
    }

    static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() != null ? " " + e.getMessage() : "");
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
