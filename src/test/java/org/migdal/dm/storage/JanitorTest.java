package org.migdal.dm.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The janitor on {@code file://} storage and on {@code archive.workDir}: symbolic links, scratch files, stamps. */
class JanitorTest {
    @TempDir
    Path tmp;

    private final Instant now = Instant.parse("2026-12-01T06:00:00Z");
    private final Janitor janitor = new Janitor(Duration.ofHours(24), Clock.fixed(now, ZoneOffset.UTC));

    private Path file(Path p, Duration age) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(p, FileTime.from(now.minus(age)));
        return p;
    }

    @Test
    void inTheWorkDirOldScratchFilesGoAndEverythingElseStays() throws Exception {
        Path work = tmp.resolve("work");
        Path oldScratch = file(work.resolve(StorageNames.newTempName()), Duration.ofHours(30));
        Path youngScratch = file(work.resolve(StorageNames.newTempName()), Duration.ofHours(2));
        Path other = file(work.resolve("notes.txt"), Duration.ofDays(90));
        Path oldStyle = file(work.resolve("17-6f1c2c1e-0e1a-4b39-a8f4-6b0f7b6a3c2e.bz2"), Duration.ofDays(90));
        JanitorStamps stamps = new JanitorStamps(work, Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));
        stamps.done("file:///storage/");
        Files.setLastModifiedTime(stamps.stamp("file:///storage/"), FileTime.from(now.minus(Duration.ofDays(30))));

        Janitor.Report r = janitor.sweepWorkDir(work, false);

        assertThat(r.removed()).containsExactly("/" + oldScratch.getFileName());
        assertThat(oldScratch).doesNotExist();
        assertThat(youngScratch).exists();
        assertThat(other).exists();
        assertThat(oldStyle).exists();
        assertThat(stamps.stamp("file:///storage/")).exists();
    }

    @Test
    void aMissingWorkDirIsNotCreated() {
        Path work = tmp.resolve("never-made");
        assertThat(janitor.sweepWorkDir(work, false).removed()).isEmpty();
        assertThat(work).doesNotExist();
    }

    @Test
    void symbolicLinksAreNeverFollowedNorRemoved() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("storage"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path outsideTemp = file(outside.resolve(StorageNames.newTempName()), Duration.ofDays(10));
        Path outsideFile = file(outside.resolve("precious.dat"), Duration.ofDays(10));
        // a link named like a temporary, pointing at an old file outside the base
        Path link = base.resolve("2208").resolve(StorageNames.newTempName());
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, outsideFile);
        // a folder link leading out of the base, with an old temporary behind it
        Files.createSymbolicLink(base.resolve("2209"), outside);
        Path inside = file(base.resolve("2208/220801").resolve(StorageNames.newTempName()), Duration.ofDays(10));

        Janitor.Report r = janitor.sweep(new FileEndpoint(base.toUri()), false);

        assertThat(r.removed()).containsExactly("/2208/220801/" + inside.getFileName());
        assertThat(inside).doesNotExist();
        assertThat(outsideTemp).as("behind a folder link: never reached").exists();
        assertThat(outsideFile).as("a link's target").exists().hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(Files.isSymbolicLink(link)).as("the link itself is not a plain file").isTrue();
    }

    @Test
    void aSweepIsDueOncePerIntervalPerPlace() throws Exception {
        Path work = tmp.resolve("work");
        Instant[] t = {now};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return t[0];
            }
        };
        JanitorStamps stamps = new JanitorStamps(work, Duration.ofHours(1), clock);
        assertThat(stamps.due("root://a//x")).isTrue();
        stamps.done("root://a//x");
        assertThat(stamps.due("root://a//x")).isFalse();
        assertThat(stamps.due("root://b//x")).as("each place has its own stamp").isTrue();
        t[0] = now.plus(Duration.ofMinutes(59));
        assertThat(stamps.due("root://a//x")).isFalse();
        t[0] = now.plus(Duration.ofMinutes(60));
        assertThat(stamps.due("root://a//x")).isTrue();
    }
}
