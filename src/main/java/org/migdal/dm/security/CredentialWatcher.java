package org.migdal.dm.security;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Tells a long-running process (the daemon) when the files its grid credentials come from have changed: the X509 proxy
 * file, the bearer token files, and the CA directory with its CRLs ({@link CredentialStore#files()}). The rule is one
 * cheap fingerprint, never the contents: device, inode, size, modification and change time, mode and owner of each
 * file (links followed), and the listing of the CA directory. A renewed proxy (rewritten in place or replaced), a new
 * token, a CRL written by fetch-crl, a CA added or removed, a {@code chmod} of the proxy: each changes the fingerprint.
 *
 * <p>Whatever was built from the credentials (TLS contexts, storage endpoints, the FTS client and its delegation) is
 * dropped when {@link #changed()} says so and built again from the files; when it says nothing changed, nothing is
 * re-read or rebuilt. Nothing secret is kept or logged here: only paths and {@code stat} values.
 */
public final class CredentialWatcher {
    /** The stamps of every credential file, by path, in a stable order. */
    public record Fingerprint(Map<Path, FileStamp> files) {
        public Fingerprint {
            files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
        }

        /** The paths whose stamp differs between {@code before} and this (added, removed or changed), in order. */
        public List<Path> differencesFrom(Fingerprint before) {
            Set<Path> all = new LinkedHashSet<>(before.files.keySet());
            all.addAll(files.keySet());
            List<Path> out = new ArrayList<>();
            for (Path p : all) {
                if (!Objects.equals(before.files.get(p), files.get(p))) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    private final CredentialStore store;
    private Fingerprint seen;
    private int reloads;

    /** Takes the first fingerprint: what is built from the credentials after this is current until {@link #changed()}. */
    public CredentialWatcher(CredentialStore store) {
        this.store = store;
        this.seen = fingerprint();
    }

    /**
     * The credential files that changed since the last call (or since this watcher was made), and from now on the new
     * state is the current one; empty when nothing changed. Each non-empty answer counts as one reload.
     */
    public synchronized List<Path> changed() {
        Fingerprint now = fingerprint();
        List<Path> diff = now.differencesFrom(seen);
        if (!diff.isEmpty()) {
            seen = now;
            reloads++;
        }
        return diff;
    }

    /** How many times {@link #changed()} has reported a change. */
    public synchronized int reloads() {
        return reloads;
    }

    /** The fingerprint of the credential files now; a directory among them counts with every entry in it. */
    public Fingerprint fingerprint() {
        Map<Path, FileStamp> out = new LinkedHashMap<>();
        for (Path p : store.files()) {
            FileStamp s = FileStamp.of(p);
            out.put(p, s);
            if (s.exists() && Files.isDirectory(p)) {
                for (Path entry : entries(p)) {
                    out.put(entry, FileStamp.of(entry));
                }
            }
        }
        return new Fingerprint(out);
    }

    private static List<Path> entries(Path dir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(out::add);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return List.of(); // an unreadable directory: its own stamp still tells when it changes
        }
        out.sort(null);
        return out;
    }
}
