package org.migdal.dm.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.compress.JobResult;
import org.migdal.dm.compress.JobRunner;
import org.migdal.dm.health.EndpointHealth;
import org.migdal.dm.health.Failures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.archive.ArchiveFixture.filesUnder;

/**
 * Jobs as data: a {@link CompressionJob} runs anywhere ({@link JobRunner}) and never touches the catalog or the target
 * name; its {@link JobResult} survives JSON, and the submit host ({@link CompressionResults}) believes it only as far as
 * the storage confirms it, and only under the claim it was made for.
 */
class CompressionJobsTest {
    @TempDir
    Path tmp;
    ArchiveFixture fx;
    CompressionJob.Settings settings;
    CompressionResults results;
    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void setUp() throws IOException {
        fx = new ArchiveFixture(tmp, 3);
        settings = new CompressionJob.Settings(fx.storage.base().toString(), "none", null, false, "", Codec.BZIP2, 9);
        results = new CompressionResults(fx.catalog, fx.storage, new Failures(new EndpointHealth(fx.catalog, Clock.systemUTC())));
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private CatalogFile claimOne() {
        List<CatalogFile> c = fx.catalog.claim(Stage.COMPRESS, 1);
        assertThat(c).hasSize(1);
        return c.get(0);
    }

    /** What a worker node does: JSON in, JSON out. */
    private JobResult runAsWorker(CompressionJob job) throws IOException {
        CompressionJob read = json.readValue(json.writeValueAsString(job), CompressionJob.class);
        assertThat(read).isEqualTo(job);
        JobResult r = new JobRunner("ep01.example.org").run(read, fx.storage, tmp.resolve("scratch"));
        return json.readValue(json.writeValueAsString(r), JobResult.class);
    }

    @Test
    void aJobUploadsOnlyToItsTemporaryAndTheClaimHolderPutsItInPlace() throws Exception {
        fx.shipped(1, 3);
        CatalogFile f = claimOne();
        CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
        JobResult r = runAsWorker(job);

        assertThat(r.ok()).isTrue();
        assertThat(r.rawBytes()).isEqualTo(f.size());
        assertThat(r.decompressedAdler32()).isEqualTo(f.adler32());
        assertThat(r.uploaded()).isEqualTo(job.temp());
        assertThat(Files.size(fx.inStorage(job.temp()))).isEqualTo(r.compressedBytes());
        assertThat(fx.inStorage(job.target())).doesNotExist();
        assertThat(filesUnder(tmp.resolve("scratch"))).isEmpty();
        assertThat(fx.row(f.lfn()).state()).isEqualTo(FileState.COMPRESSING); // the job wrote no catalog

        assertThat(results.apply(f, job, r, "HTCondor")).isEqualTo(CompressionResults.Applied.COMPRESSED);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(after.compressedName()).isEqualTo(job.target());
        assertThat(ArchiveFixture.adler32(fx.inStorage(job.target()))).isEqualTo(r.compressedAdler32());
        assertThat(fx.inStorage(job.temp())).doesNotExist();
        assertThat(fx.events(f.lfn()).get(fx.events(f.lfn()).size() - 1).message()).contains("by HTCondor job " + job.job()
                + " on ep01.example.org");
    }

    @Test
    void aResultOfAnotherClaimIsNotAppliedAndItsUploadIsRemoved() throws Exception {
        fx.shipped(1, 2);
        CatalogFile f = claimOne();
        CompressionJob stale = CompressionResults.jobFor(f, "0000000-0000", settings);
        CompressionJob current = CompressionResults.jobFor(f, f.claimToken(), settings);
        JobResult r = runAsWorker(stale);
        CompressionJob sameTemp = new CompressionJob(current.version(), current.job(), current.token(), current.step(), current.fileId(),
                current.lfn(), current.rawBytes(), current.rawAdler32(), current.storage(), current.storageAuth(), current.certDir(),
                current.systemTrust(), current.requiredFqan(), current.target(), stale.temp(), current.codec(), current.level());

        assertThat(results.apply(f, sameTemp, r, "HTCondor")).isEqualTo(CompressionResults.Applied.FAILED);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(after.lastError()).contains("belongs to job " + stale.job()).contains("not applied");
        assertThat(fx.inStorage(current.target())).doesNotExist();
        assertThat(fx.inStorage(stale.temp())).doesNotExist();
    }

    @Test
    void aResultTheStorageContradictsIsAFailureOfTheFile() throws Exception {
        fx.shipped(1, 2);
        CatalogFile f = claimOne();
        CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
        JobResult r = runAsWorker(job);
        ArchiveFixture.flipByte(fx.inStorage(job.temp()), 100); // the storage lost a bit after the job confirmed it

        assertThat(results.apply(f, job, r, "HTCondor")).isEqualTo(CompressionResults.Applied.FAILED);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(after.lastError()).contains("the storage contradicts it").contains(job.temp());
        assertThat(fx.inStorage(job.target())).doesNotExist();
        assertThat(fx.inStorage(job.temp())).doesNotExist();
    }

    @Test
    void aDamagedRawCopyIsPermanentAndNothingIsUploaded() throws Exception {
        List<CatalogFile> rows = fx.shipped(1, 2);
        ArchiveFixture.flipByte(fx.inStorage(rows.get(0).lfn()), 7);
        CatalogFile f = claimOne();
        CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
        JobResult r = runAsWorker(job);

        assertThat(r.ok()).isFalse();
        assertThat(r.problem().kind()).isEqualTo(JobResult.Problem.RAW_DAMAGED);
        assertThat(fx.inStorage(job.temp())).doesNotExist();
        assertThat(results.apply(f, job, r, "HTCondor")).isEqualTo(CompressionResults.Applied.QUARANTINED);
        assertThat(fx.row(f.lfn()).lastError()).contains("the storage copy is damaged");
    }

    @Test
    void aMissingRawCopyIsReportedWithItsStorageKindAndUrl() throws Exception {
        List<CatalogFile> rows = fx.shipped(1, 2);
        Files.delete(fx.inStorage(rows.get(0).lfn()));
        CatalogFile f = claimOne();
        JobResult r = runAsWorker(CompressionResults.jobFor(f, f.claimToken(), settings));

        assertThat(r.ok()).isFalse();
        assertThat(r.problem().kind()).isEqualTo("NOT_FOUND");
        assertThat(r.problem().url()).isEqualTo(fx.storage.urlOf(f.lfn()));
        assertThat(r.problem().step()).isEqualTo("read");
    }

    @Test
    void aJobWithoutAResultIsAFailureAndItsTemporaryIsRemoved() throws Exception {
        fx.shipped(1, 2);
        CatalogFile f = claimOne();
        CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
        runAsWorker(job); // uploaded, then the worker was killed before its result reached us

        assertThat(results.apply(f, job, null, "HTCondor")).isEqualTo(CompressionResults.Applied.FAILED);
        assertThat(fx.row(f.lfn()).lastError()).contains("ended without a result");
        assertThat(fx.inStorage(job.temp())).doesNotExist();
    }

    @Test
    void jobNamesAreSafeInASubmitDescriptionWhateverTheFileIsCalled() {
        assertThat(CompressionJob.nameFor(42, "3f9a1c0b-2d4e")).isEqualTo("j42-3f9a1c0b2d4e");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CompressionJob(1, "j 1", "t", "compress", 1, "/a", 1, "1",
                "file:///s", null, null, false, null, "/a.bz2", "/.t", "bzip2", 9)).hasMessageContaining("must match");
    }

    @Test
    void aMountMissingOnOneWorkerNodeIsChargedToTheFileWhenTheStorageAnswersHere() throws Exception {
        org.migdal.dm.testinfra.Markers.initialised(fx.storageRoot);
        fx.shipped(1, 2);
        CatalogFile f = claimOne();
        CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
        JobResult r = new JobRunner("ep07.example.org").refused(job, "MARKER_MISSING", fx.storage.urlOf("/.migdal-dm-storage"),
                "the endpoint's marker file is missing: the storage is not mounted");

        assertThat(results.apply(f, job, r, "HTCondor")).isEqualTo(CompressionResults.Applied.FAILED);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(after.lastError()).contains("on ep07.example.org").contains("answers its probe from here");
        assertThat(fx.catalog.endpoint(fx.storage.base().toString()).map(e -> e.down()).orElse(false)).isFalse();
    }

    @Test
    void aMountMissingOnTheWorkerAndHereIsTheStoragesOutageAndChargesNothing() throws Exception {
        fx.shipped(1, 2); // the fixture's storage has no marker: a probe from here fails too
        CatalogFile f = claimOne();
        CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
        JobResult r = new JobRunner("ep07.example.org").refused(job, "MARKER_MISSING", fx.storage.urlOf("/.migdal-dm-storage"),
                "the endpoint's marker file is missing: the storage is not mounted");

        assertThat(results.apply(f, job, r, "HTCondor")).isEqualTo(CompressionResults.Applied.ENDPOINT_DOWN);
        assertThat(fx.row(f.lfn()).attempts()).isZero();
        assertThat(fx.catalog.endpoint(fx.storage.base().toString()).orElseThrow().down()).isTrue();
    }

    @Test
    void aJobThatCannotUseItsProxyChargesNoFile() throws Exception {
        fx.shipped(1, 2);
        CatalogFile f = claimOne();
        CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
        JobResult r = new JobRunner("ep07.example.org").refused(job, JobResult.Problem.CREDENTIAL, job.storage(),
                "the X509 proxy /var/lib/condor/execute/dir_1/x509up_u1000 expired at 2026-11-30T10:00:00Z");

        assertThat(results.apply(f, job, r, "HTCondor")).isEqualTo(CompressionResults.Applied.ENDPOINT_DOWN);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(after.attempts()).as("a bad proxy on the workers must not quarantine the backlog").isZero();
        assertThat(after.lastError()).contains("could not use its credential").contains("expired");
    }

    /** Stands for a SIGKILL: nothing of the process runs on from the instant it is thrown. */
    private static final class Killed extends Error {
        Killed() {
            super("killed", null, false, false);
        }
    }

    @Test
    void aResultAppliedAgainAfterAStoppedCollectorRenamedItsCopyIntoPlaceCompressesTheFileUncharged() throws Exception {
        fx.shipped(1, 3);
        CatalogFile f = claimOne();
        CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
        JobResult r = runAsWorker(job);
        // the collector applying it is killed after renaming the copy into place, before the catalog records it
        org.migdal.dm.catalog.Catalog killedBeforeRecording = (org.migdal.dm.catalog.Catalog) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{org.migdal.dm.catalog.Catalog.class}, (proxy, method, args) -> {
                    if (method.getName().equals("advance")) {
                        throw new Killed();
                    }
                    try {
                        return method.invoke(fx.catalog, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        CompressionResults stopped = new CompressionResults(killedBeforeRecording, fx.storage,
                new Failures(new EndpointHealth(fx.catalog, Clock.systemUTC())));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stopped.apply(f, job, r, "HTCondor")).isInstanceOf(Killed.class);
        assertThat(fx.inStorage(job.temp())).doesNotExist();
        assertThat(Files.size(fx.inStorage(job.target()))).isEqualTo(r.compressedBytes());
        assertThat(fx.row(f.lfn()).state()).isEqualTo(FileState.COMPRESSING);

        // the next collection applies the same result again
        assertThat(results.apply(f, job, r, "HTCondor")).isEqualTo(CompressionResults.Applied.COMPRESSED);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(after.compressedName()).isEqualTo(job.target());
        assertThat(after.compressedAdler32()).isEqualTo(r.compressedAdler32());
        assertThat(fx.events(f.lfn())).as("no failure charged").noneMatch(e -> !e.ok());
        assertThat(fx.events(f.lfn())).anyMatch(e -> e.action().equals("compress") && e.message().contains("already in place"));
    }
}
