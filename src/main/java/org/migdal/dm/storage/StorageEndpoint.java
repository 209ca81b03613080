package org.migdal.dm.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One storage system (disk storage or tape), addressed by paths relative to its base URL. Chosen by
 * URL scheme in {@link Endpoints}. Implementations never overwrite unless asked and never leave a
 * partial upload looking complete.
 */
public interface StorageEndpoint extends AutoCloseable {

    /** The base URL every relative path hangs from. */
    URI base();

    /** The full URL of a relative path, for messages and the catalog. */
    default String urlOf(String path) {
        String b = base().toString();
        return (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + (path.startsWith("/") ? path : "/" + path);
    }

    /**
     * Uploads {@code source} (which must yield exactly {@code size} bytes) to {@code path}, computing the
     * adler32 of the bytes sent. The bytes go to a new temporary name beside {@code path} ({@link StorageNames})
     * and are renamed into place only once the storage holds all of them; on failure only that temporary is removed,
     * never what is under {@code path}. A last path component over {@link StorageNames#NAME_MAX} bytes is refused.
     * The caller must then confirm the copy with {@link #stat} and {@link #checksum}: this method's result only says
     * what was sent.
     */
    Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException;

    /**
     * As {@link #put(InputStream, long, String, boolean)}, checking {@code fence} right before the upload is renamed into
     * place: a worker that lost its claim meanwhile puts nothing in place and leaves no temporary. Endpoints that stage
     * uploads check it at the rename; this default checks it before anything is sent.
     */
    default Sent put(InputStream source, long size, String path, boolean overwrite, Fence fence) throws StorageException {
        fence.check();
        return put(source, size, path, overwrite);
    }

    /**
     * As {@link #put(InputStream, long, String, boolean, Fence)}, from a local file: the shipper's way. Endpoints that can
     * copy a file better than a stream ({@code file://}) override it. A failure to read {@code source} is an
     * {@link IOException}, a failure of the storage a {@link StorageException}.
     */
    default Sent putFile(Path source, long size, String path, boolean overwrite, Fence fence) throws StorageException, IOException {
        try (InputStream in = Files.newInputStream(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return put(in, size, path, overwrite, fence);
        }
    }

    /**
     * Renames {@code temp}, a copy already uploaded with {@link #put} under a temporary name ({@link StorageNames#tempBeside})
     * and confirmed by the caller, to {@code path}, checking {@code fence} right before: a compression job on a worker node
     * uploads and confirms, the holder of the claim puts the copy in place. Without {@code overwrite} an existing target is
     * refused (EXISTS). The temporary is not removed on failure: the caller decides.
     */
    void moveIntoPlace(String temp, String path, boolean overwrite, Fence fence) throws StorageException;

    /** Size (and tape flags where known) of a path, or empty if it does not exist. */
    Optional<RemoteFile> stat(String path) throws StorageException;

    /** The adler32 the storage itself reports for a path. */
    Checksum checksum(String path) throws StorageException;

    /**
     * What the endpoint says about the tape copy of a path whose {@code stat} was just taken. This default reads the
     * tape flag a stat may carry ({@link RemoteFile#onTape()}); without one the endpoint has no residency information
     * ({@code file://}). Endpoints that can ask (xroot stat flags, the WLCG Tape REST API) override it. Use
     * {@link CopyCheck} rather than calling this directly.
     */
    default TapeResidency tapeResidency(String path, RemoteFile stat) throws StorageException {
        String scheme = base().getScheme();
        if (stat.onTape() == null) {
            return TapeResidency.noInformation(scheme + ":// tape, no residency information");
        }
        return stat.onTape() ? TapeResidency.onTape("tape copy flag reported by " + urlOf(path))
                : TapeResidency.notOnTape("no tape copy flag reported by " + urlOf(path));
    }

    /** Streams a file's content. */
    InputStream open(String path) throws StorageException;

    /** Deletes a file; deleting a missing file is not an error. */
    void delete(String path) throws StorageException;

    /**
     * The entries of a folder (not recursive, without the folder itself); NOT_FOUND when the folder is missing.
     * Symbolic links are never followed: on {@code file://} they are listed as {@link StorageEntry.Type#OTHER}.
     */
    List<StorageEntry> list(String directory) throws StorageException;

    @Override
    default void close() {
    }

    /** What an upload sent: byte count and the adler32 computed while sending. */
    record Sent(long bytes, Checksum adler32) {
    }
}
