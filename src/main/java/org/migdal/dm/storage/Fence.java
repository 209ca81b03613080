package org.migdal.dm.storage;

/**
 * Checked by an upload right before it renames its temporary into place: throws (for a worker, a
 * {@code LostClaimException}) when the work that asked for the upload no longer holds its claim, and the upload then
 * removes only its own temporary and puts nothing in place.
 */
@FunctionalInterface
public interface Fence {
    Fence NONE = () -> { };

    void check();
}
