package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.storage.Marker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, defect 1: a storage or tape base that is an empty mount point, or missing, is never written to, never
 * created, and never trusted: no DAQ copy is deleted on its word, no file is charged, doctor and status say so.
 */
class UnmountedStorageTest {
    @TempDir
    Path tmp;

    private static long entries(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return -1;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.count() - 1;
        }
    }

    private static long daqFiles(CliFixture fx) throws Exception {
        long n = 0;
        for (Path d : new Path[]{fx.data1, fx.data2}) {
            try (Stream<Path> s = Files.walk(d)) {
                n += s.filter(p -> p.getFileName().toString().endsWith(".dat")).count();
            }
        }
        return n;
    }

    @Test
    void anEmptyMountPointInPlaceOfTheStorageGetsNothingAndNoDaqCopyIsDeleted() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        Path realStorage = tmp.resolve("storage-mounted");
        Files.move(fx.storage, realStorage);
        Files.createDirectories(fx.storage); // the mount point, with nothing mounted on it

        for (int cycle = 0; cycle < 3; cycle++) {
            CliFixture.Run r = fx.cli("run", "--role", "daq");
            assertThat(r.code()).as(r.toString()).isEqualTo(1);
            assertThat(r.err() + r.out()).contains("marker");
        }
        assertThat(daqFiles(fx)).as("every DAQ copy is kept").isEqualTo(7);
        assertThat(entries(fx.storage)).as("nothing written into the empty mount point").isZero();

        CliFixture.Run ls = fx.cli("ls", "--json");
        assertThat(ls.out()).doesNotContain("ON_DISK_STORAGE").contains("REGISTERED").contains("\"attempts\" : 0");
        CliFixture.Run status = fx.cli("status");
        assertThat(status.out()).contains("endpoint " + fx.storage.toUri()).contains("is DOWN since").contains("marker");
        CliFixture.Run doctor = fx.cli("doctor");
        assertThat(doctor.code()).as(doctor.toString()).isEqualTo(1);
        assertThat(doctor.out()).contains("FAIL storage.disk").contains(Marker.NAME);
        assertThat(entries(fx.storage)).as("doctor writes no probe into the empty mount point").isZero();

        // the storage is mounted again: work resumes, nothing was charged
        Files.delete(fx.storage);
        Files.move(realStorage, fx.storage);
        CliFixture.Run waiting = fx.cli("run", "--role", "daq");
        assertThat(waiting.err()).as("probes back off: the next probe is not due yet").contains("next probe at");
        CliFixture.Run probe = fx.cli("storage", "probe");
        assertThat(probe.code()).as(probe.toString()).isZero();
        CliFixture.Run back = fx.cli("run", "--role", "daq");
        assertThat(back.code()).as(back.toString()).isZero();
        assertThat(daqFiles(fx)).isZero();
        for (String lfn : CliFixture.allLfns()) {
            assertThat(fx.inStorage(lfn)).exists();
        }
        assertThat(fx.cli("status").out()).contains("is UP");
    }

    @Test
    void aMissingStorageBaseIsNeverCreatedByACycleOrByDoctor() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        Path gone = tmp.resolve("storage-elsewhere");
        Files.move(fx.storage, gone);

        CliFixture.Run r = fx.cli("run", "--role", "daq");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(fx.cli("doctor").code()).isEqualTo(1);
        assertThat(fx.storage).doesNotExist();
        assertThat(daqFiles(fx)).isEqualTo(7);

        CliFixture.Run init = fx.cli("storage", "init");
        assertThat(init.code()).as("init does not create a missing base unless asked").isEqualTo(1);
        assertThat(init.err()).contains("does not exist").contains("--create-base");
        assertThat(fx.storage).doesNotExist();
    }

    @Test
    void anEmptyTapeMountPointNeverYieldsOnTape() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: true");
        assertThat(fx.cli("run", "--role", "daq").code()).isZero();
        Path realTape = tmp.resolve("tape-mounted");
        Files.move(fx.tape, realTape);
        Files.createDirectories(fx.tape);

        CliFixture.Run r = fx.cli("run", "--role", "grid");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(entries(fx.tape)).isZero();
        assertThat(fx.cli("ls", "--state", "ON_TAPE").out()).doesNotContain(".dat");
        for (String lfn : CliFixture.allLfns()) {
            assertThat(fx.inStorage(lfn)).as("raw copies stay while the tape is not proven").exists();
        }
        Files.delete(fx.tape);
        Files.move(realTape, fx.tape);
        assertThat(fx.cli("storage", "probe").code()).isZero();
        CliFixture.Run back = fx.cli("run", "--role", "grid");
        assertThat(back.code()).as(back.toString()).isZero();
        assertThat(fx.cli("ls", "--state", "ON_TAPE", "--json").out()).contains(CliFixture.allLfns().get(0));
    }
}
