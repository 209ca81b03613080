package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.storage.StorageNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code migdal-dm janitor [--dry-run]} and the janitor in the cycles (defect 9). */
class CliJanitorTest {
    @TempDir
    Path tmp;

    private static Path orphan(Path dir, Duration age) throws IOException {
        Path p = Files.createDirectories(dir).resolve(StorageNames.newTempName());
        Files.write(p, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(age)));
        return p;
    }

    @Test
    void theCommandRemovesOldOrphansAtStorageTapeAndWorkDirAndADryRunOnlyLists() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        Path atStorage = orphan(fx.storage.resolve("2208/220803"), Duration.ofHours(30));
        Path atTape = orphan(fx.tape.resolve("2208"), Duration.ofDays(3));
        Path inWork = orphan(tmp.resolve("work"), Duration.ofHours(25));
        Path young = orphan(fx.storage.resolve("2208/220803"), Duration.ofHours(1));
        Path other = fx.storage.resolve("2208/220803/MIG_keep.dat");
        Files.write(other, new byte[] {4});
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(Duration.ofDays(300))));

        CliFixture.Run dry = fx.cli("janitor", "--dry-run");
        assertThat(dry.code()).as("%s", dry).isZero();
        assertThat(dry.out()).contains("would remove", atStorage.getFileName().toString(), atTape.getFileName().toString(),
                inWork.getFileName().toString()).doesNotContain(young.getFileName().toString());
        assertThat(atStorage).exists();
        assertThat(atTape).exists();
        assertThat(inWork).exists();

        CliFixture.Run run = fx.cli("janitor");
        assertThat(run.code()).as("%s", run).isZero();
        assertThat(atStorage).doesNotExist();
        assertThat(atTape).doesNotExist();
        assertThat(inWork).doesNotExist();
        assertThat(young).exists();
        assertThat(other).exists();
    }

    @Test
    void theCycleSweepsAtMostOnceAnHour() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        Path first = orphan(fx.storage.resolve("2208"), Duration.ofHours(48));

        assertThat(fx.cli("run", "--role", "all").code()).isZero();
        assertThat(first).as("removed by the first cycle").doesNotExist();

        Path second = orphan(fx.storage.resolve("2208"), Duration.ofHours(48));
        assertThat(fx.cli("run", "--role", "all").code()).isZero();
        assertThat(second).as("the storage was swept less than an hour ago").exists();
        assertThat(fx.cli("ls", "--state", "ON_TAPE").out()).contains("of 7");
    }

    @Test
    void aStorageWithoutItsMarkerIsNeitherSweptNorCreated() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        Path orphan = orphan(fx.storage.resolve("2208"), Duration.ofDays(3));
        Files.delete(fx.storage.resolve(org.migdal.dm.storage.Marker.NAME)); // an empty mount point would look like this
        Path atTape = orphan(fx.tape.resolve("2208"), Duration.ofDays(3));

        CliFixture.Run r = fx.cli("janitor");

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        assertThat(r.out()).contains("not swept", fx.storage.toUri().toString());
        assertThat(orphan).as("nothing is deleted on the word of a storage without its marker").exists();
        assertThat(atTape).as("the healthy tape endpoint is still swept").doesNotExist();
    }

    @Test
    void janitorHelpWorks() {
        CliFixture.Run r = CliFixture.raw("janitor", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--dry-run", "janitor.tempMaxAgeHours");
    }
}
