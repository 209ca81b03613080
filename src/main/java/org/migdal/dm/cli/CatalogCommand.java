package org.migdal.dm.cli;

import org.migdal.dm.catalog.CatalogCopy;
import org.migdal.dm.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code catalog copy} and {@code catalog compare}: moving a catalog between SQLite and PostgreSQL, and proving it. */
@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Catalog maintenance (moving it to PostgreSQL).",
        subcommands = {CatalogCommand.Copy.class, CatalogCommand.Compare.class})
final class CatalogCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.USAGE;
    }

    /** The two catalogs: URLs as catalog.url, PostgreSQL logins with password files (never a password on the command line). */
    static class Ends {
        @Option(names = "--from", required = true, paramLabel = "URL",
                description = "the catalog to read: sqlite:PATH, jdbc:sqlite:PATH or jdbc:postgresql://HOST/DB")
        String from;

        @Option(names = "--from-user", paramLabel = "USER", description = "PostgreSQL user of --from")
        String fromUser;

        @Option(names = "--from-password-file", paramLabel = "FILE", description = "file holding the PostgreSQL password of --from")
        Path fromPasswordFile;

        @Option(names = "--to", required = true, paramLabel = "URL",
                description = "the catalog to write: sqlite:PATH, jdbc:sqlite:PATH or jdbc:postgresql://HOST/DB")
        String to;

        @Option(names = "--to-user", paramLabel = "USER", description = "PostgreSQL user of --to")
        String toUser;

        @Option(names = "--to-password-file", paramLabel = "FILE", description = "file holding the PostgreSQL password of --to")
        Path toPasswordFile;

        CatalogCopy.Location from() {
            return location("--from", from, fromUser, fromPasswordFile);
        }

        CatalogCopy.Location to() {
            return location("--to", to, toUser, toPasswordFile);
        }

        private static CatalogCopy.Location location(String option, String url, String user, Path passwordFile) {
            if (url.contains("password=")) {
                throw new ConfigException(option + ": do not put a password in the URL; use " + option + "-password-file");
            }
            String password = null;
            if (passwordFile != null) {
                try {
                    password = Files.readString(passwordFile).strip();
                } catch (IOException e) {
                    throw new ConfigException(option + "-password-file: cannot read " + passwordFile + ": " + e.getMessage());
                }
            }
            if (!url.startsWith("sqlite:") && !url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
                throw new ConfigException(option + " '" + url + "' is neither sqlite:PATH nor jdbc:postgresql://HOST/DB");
            }
            return new CatalogCopy.Location(url, user, password);
        }
    }

    /** Prints the per-table result; true when every table matched. */
    static boolean print(CatalogCopy.Report r, PrintWriter out, PrintWriter err) {
        out.printf("%-16s %10s  %-64s  %s%n", "table", "rows", "sha256", "target");
        for (CatalogCopy.TableCheck t : r.tables()) {
            out.printf("%-16s %10d  %s  %s%n", t.table(), t.sourceRows(), t.sourceSha256(), t.matches() ? "equal"
                    : "DIFFERS: " + t.targetRows() + " rows, sha256 " + t.targetSha256());
        }
        if (r.ok()) {
            return true;
        }
        err.println("verification failed: table(s) " + String.join(", ", r.mismatched()) + " differ between " + r.source()
                + " and " + r.target());
        return false;
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = {"Copy every row of every table of a catalog into an empty catalog (SQLite <-> PostgreSQL, ids kept),"
                    + " then verify each table by row count and checksum on both sides.",
                    "Stop every migdal-dm process (cron, daemon) using the source first; afterwards point catalog.url at the"
                    + " target. The target is migrated to this version's schema; a non-empty target or a schema version"
                    + " difference is refused before anything is written. Exit 0 only when every table matches."})
    static final class Copy implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;

        @picocli.CommandLine.Mixin
        Ends ends = new Ends();

        @Override
        public Integer call() {
            PrintWriter out = parent.spec.commandLine().getOut();
            PrintWriter err = parent.spec.commandLine().getErr();
            CatalogCopy.Location from = ends.from();
            CatalogCopy.Location to = ends.to();
            out.println("copying " + from + " to " + to);
            CatalogCopy.Report r = new CatalogCopy(out::println).copy(from, to);
            out.println("schema version " + r.schemaVersion() + ", " + r.copiedRows() + " rows copied; verifying:");
            boolean ok = print(r, out, err);
            if (ok) {
                out.println("every table of " + r.target() + " equals " + r.source()
                        + "; point catalog.url at the target before starting migdal-dm again");
            }
            return ok ? Main.OK : Main.FAILURE;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Compare two catalogs table by table (row counts and checksums), reading both. Exit 0 when equal.")
    static final class Compare implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;

        @picocli.CommandLine.Mixin
        Ends ends = new Ends();

        @Override
        public Integer call() {
            PrintWriter out = parent.spec.commandLine().getOut();
            CatalogCopy.Report r = new CatalogCopy(out::println).compare(ends.from(), ends.to());
            out.println("comparing " + r.source() + " with " + r.target() + " (schema version " + r.schemaVersion() + "):");
            return print(r, out, parent.spec.commandLine().getErr()) ? Main.OK : Main.FAILURE;
        }
    }
}
