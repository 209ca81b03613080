package org.migdal.dm.daq;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Adler32;

/** Real files, real SQLite: small helpers shared by the DAQ-side tests. */
public final class DaqTestSupport {
    private DaqTestSupport() {
    }

    /** A clock the test moves forward by hand (retry back-off, lease expiry), never by sleeping. */
    public static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now;

        public MutableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        public void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    public static JdbcCatalog catalog(Path db, String owner, int maxAttempts, Duration backoff, Clock clock) {
        return JdbcCatalog.open("sqlite:" + db, null, null, new ClaimPolicy(owner, Duration.ofMinutes(30), maxAttempts, backoff),
                clock, 4);
    }

    /** A DAQ config with disks data1, data2, … at the given roots. */
    public static MigdalConfig.Daq daq(Path... roots) {
        return daqOwned(null, null, roots);
    }

    public static MigdalConfig.Daq daqOwned(String owner, String group, Path... roots) {
        List<MigdalConfig.Disk> disks = new ArrayList<>();
        for (int i = 0; i < roots.length; i++) {
            disks.add(new MigdalConfig.Disk("data" + (i + 1), roots[i].toString()));
        }
        return new MigdalConfig.Daq(disks, null, null, null, owner, group);
    }

    public static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    public static Path write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        return file;
    }

    public static String adler32(byte[] content) {
        Adler32 a = new Adler32();
        a.update(content);
        return String.format("%08x", a.getValue());
    }

    public static String adler32(Path file) throws IOException {
        return adler32(Files.readAllBytes(file));
    }

    public static void flag(Path diskRoot) throws IOException {
        Files.writeString(diskRoot.resolve("ReadyToTransfer"), "");
    }
}
