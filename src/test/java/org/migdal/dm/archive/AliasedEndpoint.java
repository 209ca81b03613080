package org.migdal.dm.archive;

import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.ForwardingEndpoint;
import org.migdal.dm.storage.RemoteFile;
import org.migdal.dm.storage.StorageException;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * TEST CODE: a real {@link FileEndpoint} folder that names its files with a grid URL ({@code root://…}) instead of
 * {@code file://}. FTS3 refuses {@code file://} in submissions, and the contract server, like a real FTS3 seen from
 * migdal-dm, never reads or writes the bytes: so the URLs in the submissions are names only, while every check the
 * mover makes itself (the last-chance stat and adler32, recall verification, raw cleanup) reads the real folder.
 * Where a test stands in for FTS's data movement it copies into the folder itself and says so.
 *
 * <p>{@link #reportTapeFlag} makes {@link #stat} report a tape flag as an EOS+CTA xroot endpoint does
 * ({@code BackUpExists}); by default it reports none ({@code null}), like {@code file://} and WebDAV.
 */
final class AliasedEndpoint extends ForwardingEndpoint {
    private final URI base;
    private volatile Boolean tapeFlag;

    AliasedEndpoint(Path folder, URI base) {
        super(new FileEndpoint(folder.toUri()));
        this.base = base;
    }

    Path folder() {
        return real.root();
    }

    /** null: no tape flag reported; true/false: every file reports this flag. */
    void reportTapeFlag(Boolean flag) {
        this.tapeFlag = flag;
    }

    @Override
    public URI base() {
        return base;
    }

    @Override
    public Optional<RemoteFile> stat(String path) throws StorageException {
        Boolean flag = tapeFlag;
        return real.stat(path).map(r -> new RemoteFile(r.path(), r.size(), r.onDisk(), flag));
    }
}
