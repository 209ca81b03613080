package org.migdal.dm.compress;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Makes the {@link Compressor} of a job: with the system's programs found in {@code searchPath} when {@code engine}
 * allows them, else in-process. {@link Engine#NATIVE} without the programs is refused (the job fails, saying so).
 */
public record Toolbox(Engine engine, List<Path> searchPath) {
    public Toolbox {
        searchPath = List.copyOf(searchPath);
    }

    /** The engine chosen, looking for programs in {@code PATH}. */
    public static Toolbox system(Engine engine) {
        return new Toolbox(engine, Programs.systemPath());
    }

    public Compressor compressor(Codec codec, int level) {
        if (level < 1 || level > codec.maxLevel()) {
            throw new IllegalArgumentException(codec.id() + " level " + level + " is outside 1–" + codec.maxLevel());
        }
        if (engine == Engine.JAVA) {
            return new Compressor(codec, level, null);
        }
        Optional<Programs> programs = Programs.find(codec, level, searchPath);
        if (programs.isEmpty() && engine == Engine.NATIVE && codec == Codec.BZIP2) {
            throw new IllegalStateException("archive.engine is native but neither bzip2 nor lbzip2 is in " + searchPath
                    + "; install one (Debian: apt-get install lbzip2 bzip2) or set archive.engine to auto or java");
        }
        return new Compressor(codec, level, programs.orElse(null));
    }

    /** What a job of {@code codec} would run, for {@code doctor} and the log. */
    public String describe(Codec codec, int level) {
        try {
            return compressor(codec, level).describe();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }
}
