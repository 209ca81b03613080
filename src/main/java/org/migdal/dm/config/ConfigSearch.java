package org.migdal.dm.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Which configuration file a command reads: {@code --config FILE} if given, else {@code $MIGDAL_DM_CONFIG} if set, else
 * {@code ./migdal-dm.yaml} if it exists, else {@code /etc/migdal-dm/migdal-dm.yaml} if it exists. A file named by
 * {@code --config} or by the variable that does not exist is an error naming it (never a fall-through to the next
 * place); when no place has one, the error lists every place looked at.
 *
 * @param explicit   the {@code --config} value, or null
 * @param env        the environment ({@code MIGDAL_DM_CONFIG})
 * @param workDir    the folder {@code ./migdal-dm.yaml} is looked for in
 * @param systemFile the system-wide file ({@link #SYSTEM_FILE}; another in tests)
 */
public record ConfigSearch(Path explicit, Map<String, String> env, Path workDir, Path systemFile) {
    public static final String ENV = "MIGDAL_DM_CONFIG";
    public static final String LOCAL_NAME = "migdal-dm.yaml";
    public static final Path SYSTEM_FILE = Path.of("/etc/migdal-dm/migdal-dm.yaml");

    /** The file found, and by which rule ({@code --config}, {@code $MIGDAL_DM_CONFIG}, {@code ./migdal-dm.yaml}, or the system file). */
    public record Found(Path file, String how) {
        @Override
        public String toString() {
            return file + " (" + how + ")";
        }
    }

    /** The search of this process: its environment, working directory and {@link #SYSTEM_FILE}. */
    public static ConfigSearch of(Path explicit) {
        return new ConfigSearch(explicit, System.getenv(), Path.of("").toAbsolutePath(), SYSTEM_FILE);
    }

    public Found find() {
        if (explicit != null) {
            return existing(explicit, "--config");
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return existing(Path.of(fromEnv), "$" + ENV);
        }
        Path local = workDir.resolve(LOCAL_NAME);
        if (Files.isRegularFile(local)) {
            return new Found(local.toAbsolutePath(), "./" + LOCAL_NAME);
        }
        if (Files.isRegularFile(systemFile)) {
            return new Found(systemFile.toAbsolutePath(), "system-wide file");
        }
        throw new ConfigException("no configuration file found; looked for " + String.join(", ", List.of(
                "--config (not given)", "$" + ENV + " (not set)", local.toAbsolutePath().toString(), systemFile.toString()))
                + "; give --config PATH or set " + ENV + " (start from config/migdal-dm.example.yaml)");
    }

    private static Found existing(Path file, String how) {
        if (!Files.exists(file)) {
            throw new ConfigException("configuration file " + file.toAbsolutePath() + " (given by " + how + ") does not exist");
        }
        return new Found(file.toAbsolutePath(), how);
    }
}
