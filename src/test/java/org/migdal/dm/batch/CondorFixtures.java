package org.migdal.dm.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The recorded HTCondor outputs of {@code src/test/resources/condor/} (copied byte-exactly from the reference). */
final class CondorFixtures {
    private CondorFixtures() {
    }

    static Path path(String name) {
        URL url = CondorFixtures.class.getResource("/condor/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no fixture condor/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }
}
