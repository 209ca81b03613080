package org.migdal.dm.bench;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.daq.SyntheticRuns;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.GuardedEndpoint;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.storage.StorageAuth;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.XrootdEndpoint;
import org.migdal.dm.testinfra.XrootdServer;
import org.migdal.dm.transfer.ShipReport;
import org.migdal.dm.transfer.Shipper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.Adler32;

/**
 * {@code bench ship}: the real shipping path (a SQLite catalog, the scanner's registration, then {@link Shipper} with one
 * thread, which uploads, confirms size and adler32 from the storage and deletes the DAQ copy) against the tools an
 * operator would use on the same files, in interleaved rounds:
 * <ul>
 *   <li>{@code root://} to a plain XRootD server started on 127.0.0.1 on a free port, against
 *       {@code xrdcp --cksum adler32:source} per file; and the tool launches per shipped file;</li>
 *   <li>{@code file://} against {@code cp f dst && sync dst && xrdadler32 < f && xrdadler32 < dst} per file (the
 *       checksums from stdin: xrdadler32 keeps a file's sum in an extended attribute and would not read it again), or
 *       cp + sync + Java's Adler32 of both files when xrdadler32 is missing.</li>
 * </ul>
 * The DAQ disk of each round holds hard links to one set of generated camera-like files, so what the shipper deletes is
 * only a link and every contender reads the same bytes from the page cache. Only shipping is timed (registration not);
 * before each contender, untimed, {@code sync} writes back what earlier steps left dirty.
 */
public final class ShipBench implements Bench {
    private static final String SOURCE = "Fe55";
    private static final LocalDateTime START = LocalDateTime.of(2022, 8, 3, 14, 54, 47);

    @Override
    public String name() {
        return "ship";
    }

    /** One data set: {@code files} files of {@code bytes} bytes. */
    record DataSet(String label, int files, long bytes) {
        long total() {
            return files * bytes;
        }
    }

    static List<DataSet> dataSets(boolean quick) {
        return quick ? List.of(new DataSet("4 × 2 MiB", 4, 2L << 20), new DataSet("1 × 24 MiB", 1, 24L << 20))
                : List.of(new DataSet("40 × 16 MiB", 40, 16L << 20), new DataSet("1 × 1 GiB", 1, 1L << 30));
    }

    @Override
    public List<Figure> run(Context ctx) throws Exception {
        List<Figure> figures = new ArrayList<>();
        List<DataSet> sets = dataSets(ctx.quick());
        List<Path> pristine = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            DataSet d = sets.get(i);
            ctx.log().printf(Locale.ROOT, "ship: generating %s of camera-like data …%n", d.label());
            ctx.log().flush();
            Path root = Files.createDirectories(ctx.scratch().resolve("pristine-" + i));
            new SyntheticRuns(17 + i).writeRun(root, SOURCE, START, d.files(), d.bytes());
            pristine.add(root);
        }
        figures.addAll(rootFigures(ctx, sets.get(0), pristine.get(0)));
        for (int i = 0; i < sets.size(); i++) {
            figures.add(fileFigure(ctx, sets.get(i), pristine.get(i), i));
        }
        return figures;
    }

    // ---------------------------------------------------------------- root://

    private List<Figure> rootFigures(Context ctx, DataSet d, Path pristine) throws Exception {
        String path = "ship root:// (" + d.label() + ")";
        String baseline = "xrdcp --cksum adler32:source";
        String launchesPath = "ship root:// tool launches per file";
        Optional<String> why = XrootdServer.unavailableReason().or(() -> missingTool("xrdcp")).or(() -> missingTool("xrdfs"));
        if (why.isPresent()) {
            return List.of(new Figure(path, Double.NaN, "s", baseline, Double.NaN, "≤ 1.30×", false, "not measured: " + why.get()),
                    new Figure(launchesPath, Double.NaN, "", "", Double.NaN, "≤ 2", false, "not measured: " + why.get()));
        }
        List<Path> files = files(pristine);
        AtomicLong launches = new AtomicLong();
        AtomicLong shipped = new AtomicLong();
        double[] m;
        try (XrootdServer server = XrootdServer.startPlain()) {
            int[] round = {0};
            m = Rounds.medians(ctx.rounds(), List.of(
                    () -> {
                        String dir = "ours-" + round[0];
                        try (XrootdEndpoint xroot = new XrootdEndpoint(URI.create(server.rootBase() + "//" + dir), StorageAuth.none())) {
                            Marker.write(xroot, "bench", Instant.now());
                            double s = ship(ctx, pristine, d, xroot, "root-" + round[0]);
                            launches.addAndGet(xroot.launches()); // all of this endpoint's, the marker's upload included
                            shipped.addAndGet(d.files());
                            Scratch.delete(server.dataDir().resolve(dir));
                            return s;
                        }
                    },
                    () -> {
                        String dir = "xrdcp-" + round[0]++;
                        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "for f; do xrdcp -s --cksum adler32:source \"$f\" \""
                                + server.rootBase() + "//" + dir + "/$(basename \"$f\")\" || exit 1; done", "sh"));
                        files.forEach(f -> cmd.add(f.toString()));
                        settle();
                        double s = Rounds.time(() -> shell(cmd));
                        Scratch.delete(server.dataDir().resolve(dir));
                        return s;
                    }));
        }
        String how = String.format(Locale.ROOT, "%s, Shipper (1 thread, SQLite catalog) to a plain XRootD server on 127.0.0.1; median of %d"
                + " interleaved rounds", d.label(), ctx.rounds());
        double perFile = shipped.get() == 0 ? Double.NaN : (double) launches.get() / shipped.get();
        return List.of(Figure.ratio(path, m[0], baseline, m[1], 1.3, how),
                Figure.absolute(launchesPath, perFile, "", 2, false, String.format(Locale.ROOT,
                        "xrdcp/xrdfs processes the endpoint started over %d shipped files (%d rounds), its marker's upload and xrdfs session included", shipped.get(), ctx.rounds())));
    }

    // ---------------------------------------------------------------- file://

    private Figure fileFigure(Context ctx, DataSet d, Path pristine, int set) throws Exception {
        boolean tool = missingTool("xrdadler32").isEmpty();
        String baseline = "cp + sync + " + (tool ? "xrdadler32" : "Java Adler32") + " of both";
        List<Path> files = files(pristine);
        int[] round = {0};
        double[] m = Rounds.medians(ctx.rounds(), List.of(
                () -> {
                    Path storage = Files.createDirectories(ctx.scratch().resolve("storage-" + set + "-" + round[0]));
                    try (FileEndpoint ep = new FileEndpoint(storage.toUri())) {
                        Marker.write(ep, "bench", Instant.now());
                        double s = ship(ctx, pristine, d, ep, "file-" + set + "-" + round[0]);
                        Scratch.delete(storage);
                        return s;
                    }
                },
                () -> {
                    Path dst = Files.createDirectories(ctx.scratch().resolve("cp-" + set + "-" + round[0]++));
                    settle();
                    double s;
                    if (tool) {
                        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "for f; do d=\"" + dst + "/$(basename \"$f\")\"; "
                                + "cp \"$f\" \"$d\" && sync \"$d\" && xrdadler32 < \"$f\" && xrdadler32 < \"$d\" || exit 1; done", "sh"));
                        files.forEach(f -> cmd.add(f.toString()));
                        s = Rounds.time(() -> shell(cmd));
                    } else {
                        s = Rounds.time(() -> {
                            for (Path f : files) {
                                Path to = dst.resolve(f.getFileName());
                                shell(List.of("sh", "-c", "cp \"$1\" \"$2\" && sync \"$2\"", "sh", f.toString(), to.toString()));
                                javaAdler32(f);
                                javaAdler32(to);
                            }
                        });
                    }
                    Scratch.delete(dst);
                    return s;
                }));
        String how = String.format(Locale.ROOT, "%s, Shipper (1 thread, SQLite catalog): read once, fsync, size + adler32 of the copy"
                + " confirmed, DAQ copy deleted; median of %d interleaved rounds", d.label(), ctx.rounds());
        return Figure.ratio("ship file:// (" + d.label() + ")", m[0], baseline, m[1], 1.0, how);
    }

    // ---------------------------------------------------------------- the shipping itself

    /**
     * A DAQ disk of hard links to the pristine files, a fresh SQLite catalog, registration (not timed), then one
     * {@link Shipper} pass (timed). Fails unless every file was shipped and its DAQ link deleted.
     */
    private static double ship(Context ctx, Path pristine, DataSet d, StorageEndpoint endpoint, String name) throws Exception {
        Path disk = Files.createDirectories(ctx.scratch().resolve("daq-" + name));
        for (Path f : files(pristine)) {
            Path link = disk.resolve(pristine.relativize(f).toString());
            Files.createDirectories(link.getParent());
            Files.createLink(link, f);
        }
        Files.writeString(disk.resolve("ReadyToTransfer"), "");
        MigdalConfig.Daq daq = new MigdalConfig.Daq(List.of(new MigdalConfig.Disk("data1", disk.toString())), null, null, null, null, null);
        Path db = ctx.scratch().resolve("catalog-" + name + ".db");
        try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + db, null, null,
                new ClaimPolicy(ClaimPolicy.thisProcessOwner(), Duration.ofMinutes(30), 3, Duration.ofHours(1)), Clock.systemUTC(), 2)) {
            int registered = new Scanner(daq, catalog, Clock.systemUTC()).scan().registered();
            if (registered != d.files()) {
                throw new IllegalStateException("bench ship: " + registered + " of " + d.files() + " files registered in " + disk);
            }
            GuardedEndpoint storage = GuardedEndpoint.of(endpoint, Clock.systemUTC());
            ShipReport[] r = new ShipReport[1];
            settle();
            double s = Rounds.time(() -> r[0] = new Shipper(daq, 1, catalog, storage).ship(n -> { }));
            if (r[0].shipped() != d.files() || countDataFiles(disk) != 0) {
                throw new IllegalStateException("bench ship: " + r[0].shipped() + " of " + d.files() + " shipped to " + endpoint.base()
                        + ", " + countDataFiles(disk) + " DAQ copies left (" + r[0] + ")");
            }
            Scratch.delete(disk);
            Files.deleteIfExists(db);
            return s;
        }
    }

    /** The files of the one run under a generated root, sorted. */
    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static long countDataFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(".dat")).count();
        }
    }

    /**
     * Untimed, before each contender: writes back what earlier steps left dirty (the generated data, the previous
     * contender), so that no contender's fsync pays for another's writes.
     */
    private static void settle() throws IOException, InterruptedException {
        shell(List.of("sync"));
    }

    static Optional<String> missingTool(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)))
                ? Optional.empty() : Optional.of(tool + " is not installed (apt-get install xrootd-client)");
    }

    private static void shell(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("bench ship: baseline failed: " + String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))));
        }
    }

    private static long javaAdler32(Path f) throws IOException {
        Adler32 a = new Adler32();
        byte[] b = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(f)) {
            int r;
            while ((r = in.read(b)) > 0) {
                a.update(b, 0, r);
            }
        }
        return a.getValue();
    }
}
