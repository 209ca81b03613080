package org.migdal.dm.storage;

import java.net.URI;
import java.net.URISyntaxException;

/** Chooses a {@link StorageEndpoint} by URL scheme. */
public final class Endpoints {
    private Endpoints() {
    }

    public static StorageEndpoint open(String url) {
        return open(url, StorageAuth.none());
    }

    /** The endpoint for a URL, authenticating with {@code auth} where the protocol needs it. */
    public static StorageEndpoint open(String url, StorageAuth auth) {
        return open(url, auth, java.util.Optional.empty());
    }

    /**
     * As {@link #open(String, StorageAuth)}; an https/davs endpoint asks tape residency of the WLCG Tape REST API at
     * {@code tapeRestApi} ({@code storage.tapeRestApi}), or discovers it when empty.
     */
    public static StorageEndpoint open(String url, StorageAuth auth, java.util.Optional<URI> tapeRestApi) {
        URI uri = parse(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        return switch (scheme) {
            case "file" -> new FileEndpoint(uri);
            case "root", "roots" -> new XrootdEndpoint(uri, auth);
            case "https", "davs", "http", "dav" -> new DavEndpoint(uri, auth, DavEndpoint.Options.defaults(), tapeRestApi);
            default -> throw new IllegalArgumentException("storage URL " + url + " has unknown scheme '" + scheme
                    + "'; expected file://, root://, https:// or davs://");
        };
    }

    public static URI parse(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException("storage URL '" + url + "' has no scheme (file://, root://, https://, davs://)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("storage URL '" + url + "' is not a URL: " + e.getMessage(), e);
        }
    }
}
