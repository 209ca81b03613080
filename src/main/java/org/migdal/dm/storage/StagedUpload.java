package org.migdal.dm.storage;

/**
 * The one way an endpoint ({@code root://}, {@code https://}) uploads: the bytes go to a new temporary name beside the
 * target ({@link StorageNames}); the storage's own size of that temporary (and, per {@link TempCheck}, its adler32) must
 * equal what was sent; only then is it renamed into place. Whatever is checked here, the caller then judges the copy in
 * place with {@link CopyCheck} before believing it: that is where the adler32 the storage reports is compared. On any failure only the temporary this upload created is removed, never the target:
 * another worker's verified copy may be there by then. Without {@code overwrite}, the target is checked before the
 * upload and again right before the rename.
 */
final class StagedUpload {

    /** The protocol's two primitive steps. */
    interface Steps {
        /** Sends the bytes to {@code temp} (a relative path), computing the adler32 of what was sent. */
        StorageEndpoint.Sent upload(String temp) throws StorageException;

        /** Renames {@code temp} to {@code target} (relative paths), replacing it only when {@code overwrite}. */
        void rename(String temp, String target, boolean overwrite) throws StorageException;
    }

    /** What the storage must report for the temporary before it is renamed into place. */
    enum TempCheck {
        /**
         * Its size (a truncated upload never carries the final name). The adler32 is compared once, by the caller's
         * {@link CopyCheck} of the copy in place: a copy of the right size with other bytes then fails that check,
         * is never believed, and is replaced by the next attempt.
         */
        SIZE,
        /** Its size and adler32. */
        SIZE_AND_ADLER32
    }

    private StagedUpload() {
    }

    static StorageEndpoint.Sent run(StorageEndpoint ep, String path, boolean overwrite, Fence fence, Steps steps)
            throws StorageException {
        return run(ep, path, overwrite, fence, TempCheck.SIZE_AND_ADLER32, steps);
    }

    static StorageEndpoint.Sent run(StorageEndpoint ep, String path, boolean overwrite, Fence fence, TempCheck check, Steps steps)
            throws StorageException {
        String url = ep.urlOf(path);
        StorageNames.checkLength(path, url);
        if (!overwrite && ep.stat(path).isPresent()) {
            throw new StorageException(StorageException.Kind.EXISTS, url, "already exists and overwrite was not asked");
        }
        String temp = StorageNames.tempBeside(path);
        try {
            StorageEndpoint.Sent sent = steps.upload(temp);
            confirm(ep, temp, sent, url, check);
            if (!overwrite && ep.stat(path).isPresent()) {
                throw new StorageException(StorageException.Kind.EXISTS, url,
                        "appeared during the upload; not overwritten (this upload was discarded)");
            }
            fence.check();
            steps.rename(temp, path, overwrite);
            return sent;
        } catch (StorageException e) {
            throw new StorageException(e.kind(), e.url(), strip(e) + removeTemp(ep, temp), e.getCause() != null ? e.getCause() : e);
        } catch (RuntimeException | Error e) {
            removeTemp(ep, temp);
            throw e;
        }
    }

    /** The storage's own size (and adler32, if asked) of the temporary must be what was sent. */
    private static void confirm(StorageEndpoint ep, String temp, StorageEndpoint.Sent sent, String url, TempCheck check)
            throws StorageException {
        String tempUrl = ep.urlOf(temp);
        RemoteFile st = ep.stat(temp).orElseThrow(() -> new StorageException(StorageException.Kind.CORRUPT, url,
                "the upload reported success but its temporary file " + tempUrl + " is not there"));
        if (st.size() != sent.bytes()) {
            throw new StorageException(StorageException.Kind.CORRUPT, url, "the storage holds " + st.size()
                    + " bytes in " + tempUrl + " after the upload, " + sent.bytes() + " were sent");
        }
        if (check == TempCheck.SIZE) {
            return;
        }
        Checksum stored = ep.checksum(temp);
        if (!stored.equals(sent.adler32())) {
            throw new StorageException(StorageException.Kind.CORRUPT, url, "the storage reports adler32 " + stored
                    + " for " + tempUrl + " after the upload, the bytes sent have " + sent.adler32());
        }
    }

    /** Removes this upload's temporary (only it); says in words what happened. */
    private static String removeTemp(StorageEndpoint ep, String temp) {
        try {
            ep.delete(temp);
            return "; the partial file (if any) was deleted (" + StorageNames.lastComponent(temp) + ", this upload's"
                    + " temporary name; the target was not touched)";
        } catch (StorageException e) {
            return "; a partial file may remain under the temporary name " + ep.urlOf(temp) + " (delete failed: "
                    + e.getMessage() + "); the janitor removes it later";
        }
    }

    private static String strip(StorageException e) {
        String m = e.getMessage();
        String prefix = e.url() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
