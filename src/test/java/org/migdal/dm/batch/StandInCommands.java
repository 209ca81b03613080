package org.migdal.dm.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Stand-ins for the HTCondor tools, written into a test's temporary directory (used as {@code commandDir}): each
 * prints a recorded stdout and stderr byte for byte, exits with the recorded code, and records its argv (one element
 * per line), its working directory, what it read from stdin and the variable {@code MIGDAL_TEST_ENV}.
 */
final class StandInCommands {
    private final Path dir;

    StandInCommands(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** {@code name} will print {@code stdout} and {@code stderr} and exit with {@code exit}. */
    void script(String name, String stdout, String stderr, int exit) throws IOException {
        Files.writeString(dir.resolve(name + ".stdout"), stdout, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(name + ".stderr"), stderr, StandardCharsets.UTF_8);
        write(name, """
                #!/bin/sh
                d=$(dirname "$0"); n=$(basename "$0")
                printf '%s\\n' "$@" > "$d/$n.argv"
                pwd > "$d/$n.cwd"
                cat > "$d/$n.stdin"
                printf '%s' "${MIGDAL_TEST_ENV-}" > "$d/$n.env"
                cat "$d/$n.stdout"
                cat "$d/$n.stderr" >&2
                exit\s""" + exit + "\n");
    }

    /** {@code name} starts a child that outlives any short timeout, records both process ids, and waits for it. */
    void hangingScript(String name) throws IOException {
        write(name, """
                #!/bin/sh
                d=$(dirname "$0")
                echo "partial answer" >&2
                sleep 300 &
                echo $! > "$d/child.pid"
                echo $$ > "$d/script.pid"
                wait
                """);
    }

    List<String> argv(String name) throws IOException {
        return Files.readAllLines(dir.resolve(name + ".argv"), StandardCharsets.UTF_8);
    }

    String recorded(String name, String what) throws IOException {
        return Files.readString(dir.resolve(name + "." + what), StandardCharsets.UTF_8);
    }

    long pid(String which) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve(which + ".pid")).strip());
    }

    private void write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
