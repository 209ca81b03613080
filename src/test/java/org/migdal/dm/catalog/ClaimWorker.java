package org.migdal.dm.catalog;

import org.awaitility.Awaitility;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * One "host" of {@link ManyWorkersPostgresIT}, run in a child JVM: claims COMPRESS work in batches of 1..20 from the catalog
 * at {@code URL} (user and password from MIGDAL_TEST_PG_USER / MIGDAL_TEST_PG_PASSWORD), fences and advances each file to
 * COMPRESSED with an event naming the worker, until no ON_DISK_STORAGE or COMPRESSING file is left anywhere. Its claims
 * are kept alive by a {@link LeaseKeeper}, as in {@code migdal-dm run}.
 *
 * <pre>ClaimWorker URL NAME LEASE_MILLIS [HOLD_AFTER]</pre>
 *
 * With HOLD_AFTER, the worker advances at least that many files, then claims one more batch, prints
 * {@code holding ...} and waits forever holding those claims, for the test to SIGKILL it.
 *
 * <p>Lines on stdout, read by the test: {@code started OWNER}, {@code claimed ID,ID,…} per batch, {@code took-over ID
 * crashes=N} for a file taken over from a dead worker, {@code working} after the first advanced batch, {@code lost ID}
 * for a claim lost under its feet, {@code holding ID,ID,… advanced=N}, and {@code done advanced=N lost=N}. The worker
 * exits when its stdin closes (the test JVM is gone), so it never outlives the test.
 */
public final class ClaimWorker {
    static final String ACTION = "compress";

    private ClaimWorker() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String name = args[1];
        Duration lease = Duration.ofMillis(Long.parseLong(args[2]));
        int holdAfter = args.length > 3 ? Integer.parseInt(args[3]) : -1;
        PrintStream out = System.out;
        watchStdin();
        Random random = new Random(name.hashCode());
        ClaimPolicy policy = new ClaimPolicy(ClaimPolicy.thisProcessOwner(), lease, 5, Duration.ofSeconds(1));
        try (JdbcCatalog catalog = JdbcCatalog.open(url, System.getenv("MIGDAL_TEST_PG_USER"),
                System.getenv("MIGDAL_TEST_PG_PASSWORD"), policy, Clock.systemUTC(), 2);
             LeaseKeeper keeper = new LeaseKeeper(catalog, lease)) {
            out.println("started " + catalog.owner());
            out.flush();
            int advanced = 0;
            int lost = 0;
            boolean working = false;
            long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
            while (System.nanoTime() < deadline) {
                // claims until it gets some, or no work is left at all; the rest may be held by others (or by a dead worker
                // until its lease runs out)
                List<List<CatalogFile>> got = new java.util.ArrayList<>(List.of(List.of()));
                Awaitility.await("work to claim").atMost(Duration.ofMinutes(15)).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(50)).until(() -> {
                            got.set(0, catalog.claim(Stage.COMPRESS, 1 + random.nextInt(20)));
                            return !got.get(0).isEmpty() || noWorkLeft(catalog);
                        });
                List<CatalogFile> claimed = got.get(0);
                if (claimed.isEmpty()) {
                    out.println("done advanced=" + advanced + " lost=" + lost);
                    out.flush();
                    return;
                }
                out.println("claimed " + ids(claimed));
                for (CatalogFile f : claimed) {
                    if (f.crashes() > 0) {
                        out.println("took-over " + f.id() + " crashes=" + f.crashes());
                    }
                }
                if (holdAfter >= 0 && advanced >= holdAfter) {
                    out.println("holding " + ids(claimed) + " advanced=" + advanced);
                    out.flush();
                    new CountDownLatch(1).await(); // until SIGKILL (or the test JVM goes: watchStdin)
                }
                for (CatalogFile f : claimed) {
                    try {
                        CatalogFile held = catalog.fence(f);
                        catalog.advance(held, FileState.COMPRESSED, Changes.none().compressed(f.lfn() + ".bz2", f.size() / 2,
                                "00000001"), ACTION, "compressed by worker " + name);
                        advanced++;
                    } catch (LostClaimException e) {
                        lost++;
                        out.println("lost " + f.id());
                    }
                }
                if (!working) {
                    working = true;
                    out.println("working");
                }
                out.flush();
            }
            out.println("gave up: still work left after 15 minutes; advanced=" + advanced + " lost=" + lost);
            out.flush();
            System.exit(5);
        }
    }

    private static String ids(List<CatalogFile> files) {
        return files.stream().map(f -> String.valueOf(f.id())).collect(Collectors.joining(","));
    }

    /** Exits when stdin reaches its end: the parent (the test JVM) is gone. */
    private static void watchStdin() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever sent
                }
            } catch (java.io.IOException e) {
                // gone as well
            }
            Runtime.getRuntime().halt(4);
        }, "stdin-watch");
        t.setDaemon(true);
        t.start();
    }

    private static boolean noWorkLeft(JdbcCatalog catalog) {
        return catalog.count(new FileFilter(FileState.ON_DISK_STORAGE, null, null, null, 0, 1)) == 0
                && catalog.count(new FileFilter(FileState.COMPRESSING, null, null, null, 0, 1)) == 0;
    }
}
