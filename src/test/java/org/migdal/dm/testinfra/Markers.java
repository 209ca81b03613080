package org.migdal.dm.testinfra;

import org.migdal.dm.storage.Marker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test storage folders set up as {@code migdal-dm storage init} would: the folder with its marker file. */
public final class Markers {
    private Markers() {
    }

    /** Creates {@code dir} (if missing) with its marker file; returns it. */
    public static Path initialised(Path dir) {
        try {
            Files.createDirectories(dir);
            Path marker = dir.resolve(Marker.NAME);
            if (!Files.exists(marker)) {
                Files.writeString(marker, "migdal-dm storage marker (test)\n");
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
