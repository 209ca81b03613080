package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.compress.JobResult;
import org.migdal.dm.storage.StorageNames;
import org.migdal.dm.testinfra.Markers;
import org.migdal.dm.testinfra.XrootdServer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code migdal-dm job run} as a worker node of the batch system runs it: a fresh process with a CLEARED environment
 * (only what a submit description passes: JAVA, LC_ALL; and what HTCondor sets: _CONDOR_SCRATCH_DIR, HOME, a bare PATH),
 * the job file in its scratch folder, the storage a real XRootD server reached with the real {@code xrdcp}. The file's
 * name (spaces, unicode, a quote) travels only in the job file.
 */
class JobRunOnAWorkerNodeIT {
    @TempDir
    Path tmp;

    @Test
    void aJobRunsWithNothingOfTheSubmittersEnvironmentAndLeavesNothingBehind() throws Exception {
        try (XrootdServer server = XrootdServer.startPlain()) {
            Path base = server.dataDir().resolve("dcache/migdal");
            // the storage's marker and the raw copy, written through the server as the shipping stage writes them
            org.migdal.dm.storage.StorageEndpoint storage = org.migdal.dm.storage.Endpoints.open(server.rootBase() + "//dcache/migdal");
            org.migdal.dm.storage.Marker.write(storage, "test", java.time.Instant.now());
            String lfn = "/2208/220803/MIG run 'ü'/MIG_Fe55 data ü.0000.dat";
            byte[] raw = new byte[3 << 20];
            new Random(7).nextBytes(raw);
            for (int i = 0; i < raw.length; i += 3) {
                raw[i] = 0; // compressible, like camera frames
            }
            storage.put(new java.io.ByteArrayInputStream(raw), raw.length, lfn, false);
            Adler32 a = new Adler32();
            a.update(raw);
            String target = lfn + ".bz2";
            CompressionJob job = new CompressionJob(CompressionJob.VERSION, "j1-0123456789ab", "01234567-89ab", "compress", 1, lfn,
                    raw.length, String.format("%08x", a.getValue()), server.rootBase() + "//dcache/migdal", "none", null, false, "",
                    target, StorageNames.tempBeside(target), "bzip2", 9);

            Path scratch = Files.createDirectories(tmp.resolve("execute/dir_1"));
            Files.writeString(scratch.resolve(job.job() + ".json"), new ObjectMapper().writeValueAsString(job));
            Path worker = tmp.resolve("migdal-dm");
            Files.writeString(worker, "#!/bin/sh\nexec \"$JAVA\" -Xmx256m -cp '" + System.getProperty("java.class.path")
                    + "' org.migdal.dm.cli.Main \"$@\"\n");
            Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwxr-xr-x"));

            ProcessBuilder pb = new ProcessBuilder(worker.toString(), "job", "run", job.job() + ".json").directory(scratch.toFile())
                    .redirectOutput(tmp.resolve("job.out").toFile()).redirectError(tmp.resolve("job.err").toFile());
            pb.environment().clear();
            pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            pb.environment().put("LC_ALL", "C.UTF-8");
            pb.environment().put("PATH", "/usr/bin:/bin");
            pb.environment().put("HOME", scratch.toString());
            pb.environment().put("_CONDOR_SCRATCH_DIR", scratch.toString());
            Process p = pb.start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String err = Files.readString(tmp.resolve("job.err"));
            assertThat(p.exitValue()).as(err).isZero();

            JobResult r = new ObjectMapper().readValue(Files.readString(tmp.resolve("job.out"), StandardCharsets.UTF_8), JobResult.class);
            assertThat(r.ok()).isTrue();
            assertThat(r.rawBytes()).isEqualTo(raw.length);
            assertThat(r.decompressedAdler32()).isEqualTo(job.rawAdler32());
            Path uploaded = base.resolve(job.temp().substring(1));
            assertThat(Files.size(uploaded)).isEqualTo(r.compressedBytes()).isEqualTo(r.storageBytes());
            Adler32 c = new Adler32();
            c.update(Files.readAllBytes(uploaded));
            assertThat(String.format("%08x", c.getValue())).isEqualTo(r.compressedAdler32()).isEqualTo(r.storageAdler32());
            assertThat(base.resolve(target.substring(1))).as("only the claim holder puts it in place").doesNotExist();
            try (Stream<Path> left = Files.walk(scratch)) {
                assertThat(left.filter(Files::isRegularFile).map(f -> scratch.relativize(f).toString()).toList())
                        .as("the job leaves nothing in its scratch folder but its job file").containsExactly(job.job() + ".json");
            }
        }
    }

    @Test
    void aJobWhoseStorageIsNotMountedReportsItAndUploadsNothing() throws Exception {
        Path storage = Files.createDirectories(tmp.resolve("unmounted")); // no marker: not the storage it claims to be
        CompressionJob job = new CompressionJob(CompressionJob.VERSION, "j2-0123456789ab", "01234567-89ab", "compress", 2, "/a/b.dat",
                10, "0a0b0c0d", storage.toUri().toString(), "none", null, false, "", "/a/b.dat.bz2", "/a/.mdm-aaaaaaaaaaaa.part",
                "bzip2", 9);
        Path jobFile = tmp.resolve("j2.json");
        Files.writeString(jobFile, new ObjectMapper().writeValueAsString(job));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int rc = Main.commandLine(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true))
                .execute("job", "run", jobFile.toString());
        assertThat(rc).isEqualTo(1);
        JobResult r = new ObjectMapper().readValue(out.toString(), JobResult.class);
        assertThat(r.ok()).isFalse();
        assertThat(r.problem().kind()).isEqualTo("MARKER_MISSING");
        assertThat(r.problem().message()).contains(".migdal-dm-storage");
        try (Stream<Path> s = Files.walk(storage)) {
            assertThat(s.filter(Files::isRegularFile).toList()).isEmpty();
        }
        assertThat(Main.commandLine(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true))
                .execute("job", "run", tmp.resolve("no-such.json").toString())).isEqualTo(2);
    }
}
