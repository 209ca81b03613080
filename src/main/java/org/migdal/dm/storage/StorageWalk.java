package org.migdal.dm.storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The one recursive walk of a storage endpoint, built on {@link StorageEndpoint#list} (one folder at a time): folders
 * are visited depth first in name order, each folder's entries handed over once, so only one folder's listing per level
 * of depth is held at a time, however many files the endpoint holds. Symbolic links and anything else that is neither a
 * plain file nor a folder ({@link StorageEntry.Type#OTHER}) are handed over as they are and never entered; an entry the
 * storage reports outside the folder it was asked about is ignored and reported; the walk goes no deeper than
 * {@link #MAX_DEPTH} folders. A failed listing of the base, or a marker found missing on the way (a {@link GuardedEndpoint}),
 * throws: nothing about the endpoint can be concluded; a failed listing of a folder below it is reported to the visitor and
 * the walk goes on.
 */
public final class StorageWalk {
    /** Deeper than any LFN layout (/YYMM/YYMMDD/run/…); a guard against a loop the storage might present. */
    public static final int MAX_DEPTH = 32;

    /** What the walk hands over. */
    public interface Visitor {
        /**
         * The entries of one folder ({@code dir}, '/'-rooted relative path), in name order, sub-folders included; every
         * entry's path is a direct child of {@code dir}.
         */
        void folder(String dir, List<StorageEntry> entries) throws StorageException;

        /** A folder that could not be listed, a folder too deep, an entry outside its folder: in words, with the URL. */
        void problem(String message);
    }

    private StorageWalk() {
    }

    /** Walks {@code endpoint} from {@code start} ("/" for the base) down. */
    public static void walk(StorageEndpoint endpoint, String start, Visitor visitor) throws StorageException {
        walk(endpoint, start, 0, visitor);
    }

    private static void walk(StorageEndpoint endpoint, String dir, int depth, Visitor visitor) throws StorageException {
        if (depth > MAX_DEPTH) {
            visitor.problem(endpoint.urlOf(dir) + ": deeper than " + MAX_DEPTH + " folders; not looked at");
            return;
        }
        List<StorageEntry> listed;
        try {
            listed = endpoint.list(dir);
        } catch (StorageException e) {
            if (depth == 0 || e.kind() == StorageException.Kind.MARKER_MISSING) {
                throw e;
            }
            visitor.problem("listing failed: " + e.getMessage());
            return;
        }
        String prefix = dir.endsWith("/") ? dir : dir + "/";
        List<StorageEntry> entries = new ArrayList<>(listed.size());
        for (StorageEntry e : listed) {
            String p = e.path().startsWith("/") ? e.path() : "/" + e.path();
            String rest = p.startsWith(prefix) ? p.substring(prefix.length()) : "";
            if (rest.isEmpty() || rest.contains("/") || rest.equals(".") || rest.equals("..")) {
                visitor.problem(endpoint.urlOf(dir) + ": the listing names '" + e.path() + "', which is not in that folder; ignored");
                continue;
            }
            entries.add(p.equals(e.path()) ? e : new StorageEntry(p, e.type(), e.size(), e.modified()));
        }
        entries.sort(Comparator.comparing(StorageEntry::path));
        visitor.folder(dir, entries);
        for (StorageEntry e : entries) {
            if (e.directory()) {
                walk(endpoint, e.path(), depth + 1, visitor);
            }
        }
    }
}
