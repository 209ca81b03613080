package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link AuditStore} on each catalog database: runs and their cursor, findings once per kind and subject, lookups, reship. */
abstract class AuditStoreContract {
    protected abstract JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock);

    private JdbcCatalog c;

    @AfterEach
    void close() {
        if (c != null) {
            c.close();
        }
    }

    private JdbcCatalog catalog() {
        c = openCatalog(new ClaimPolicy("audit-test:1:0", Duration.ofMinutes(5), 3, Duration.ZERO), Clock.systemUTC());
        return c;
    }

    private static NewFile file(String name) {
        return new NewFile("/2208/220803/MIG_Fe55_data_220803T145447/" + name, "data1", "MIG_Fe55_data_220803T145447/" + name,
                "MIG_Fe55_data_220803T145447", 100, Instant.parse("2022-08-03T14:54:47Z"));
    }

    private static AuditFinding finding(String kind, String subject) {
        return new AuditFinding(0, kind, subject, "file:///s" + subject, "100 bytes", "no file", null, "look", null);
    }

    @Test
    void aRunKeepsItsCursorUntilItFinishesAndANewOneStartsAfter() {
        AuditStore s = catalog().audit();
        assertThat(s.unfinished()).isEmpty();
        AuditStore.Run run = s.start();
        s.listingsDone(run.id());
        s.progress(run.id(), 42, 40, 120);
        AuditStore.Run resumed = s.unfinished().orElseThrow();
        assertThat(resumed.id()).isEqualTo(run.id());
        assertThat(resumed.listingsDone()).isTrue();
        assertThat(resumed.afterId()).isEqualTo(42);
        assertThat(resumed.filesChecked()).isEqualTo(40);
        assertThat(resumed.checksums()).isEqualTo(120);
        s.finish(run.id());
        assertThat(s.unfinished()).isEmpty();
        assertThat(s.run(run.id()).orElseThrow().finishedAt()).isNotNull();
        assertThat(s.start().id()).isGreaterThan(run.id());
    }

    @Test
    void aFindingIsKeptOncePerKindAndSubjectAndPagedInTheOrderFound() {
        AuditStore s = catalog().audit();
        long run = s.start().id();
        long other = s.start().id();
        assertThat(s.record(run, finding("STORAGE_COPY_MISSING", "/a"))).isTrue();
        assertThat(s.record(run, finding("STORAGE_COPY_MISSING", "/a"))).as("a resumed audit meets it again").isFalse();
        assertThat(s.record(run, finding("UNKNOWN_COPY", "/a"))).isTrue();
        assertThat(s.record(run, finding("UNKNOWN_COPY", "/b"))).isTrue();
        assertThat(s.record(other, finding("UNKNOWN_COPY", "/b"))).as("another audit's").isTrue();

        List<AuditFinding> first = s.findings(run, 0, 2);
        assertThat(first).extracting(AuditFinding::kind, AuditFinding::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple("STORAGE_COPY_MISSING", "/a"), org.assertj.core.groups.Tuple.tuple("UNKNOWN_COPY", "/a"));
        assertThat(s.findings(run, first.get(1).id(), 2)).extracting(AuditFinding::subject).containsExactly("/b");
        assertThat(s.counts(run)).isEqualTo(Map.of("STORAGE_COPY_MISSING", 1L, "UNKNOWN_COPY", 2L));
        s.fixed(first.get(0).id(), "done");
        assertThat(s.findings(run, 0, 10).get(0).fixed()).isEqualTo("done");
        assertThat(s.findings(run, 0, 10).get(0).url()).isEqualTo("file:///s/a");
    }

    @Test
    void knownNamesLfnsAndCompressedNamesInBatches() {
        JdbcCatalog cat = catalog();
        cat.register(List.of(file("a.dat"), file("b.dat")));
        for (CatalogFile f : cat.claim(Stage.SHIP, 10)) {
            cat.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32("0000abcd"), "ship", "test");
        }
        CatalogFile a = cat.claim(Stage.COMPRESS, 1).get(0);
        cat.advance(a, FileState.COMPRESSED, Changes.none().compressed(a.lfn() + ".bz2", 40L, "00001111"), "compress", "test");

        List<String> asked = new java.util.ArrayList<>(List.of(a.lfn(), a.lfn() + ".bz2", "/2208/stray.dat"));
        for (int i = 0; i < 1200; i++) {
            asked.add("/nothing/" + i);
        }
        AuditStore.Known k = cat.audit().known(asked);
        String b = file("b.dat").lfn();
        assertThat(k.lfns()).isEqualTo(Set.of(a.lfn()));
        assertThat(k.compressedNames()).isEqualTo(Set.of(a.lfn() + ".bz2"));
        assertThat(cat.audit().known(List.of(b)).lfns()).containsExactly(b);
    }

    @Test
    void reshipSendsAnUnclaimedOnDiskStorageFileBackThroughTheStateMachineAndNothingElse() {
        JdbcCatalog cat = catalog();
        cat.register(List.of(file("a.dat"), file("b.dat"), file("c.dat")));
        for (CatalogFile f : cat.claim(Stage.SHIP, 10)) {
            cat.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32("0000abcd"), "ship", "test");
        }
        CatalogFile compressing = cat.claim(Stage.COMPRESS, 1).get(0);
        CatalogFile a = cat.list(new FileFilter(FileState.ON_DISK_STORAGE, null, null, null, 0, 1)).get(0);
        cat.markLocalDeleted(a, "test");

        CatalogFile back = cat.audit().reship(cat.get(a.id()).orElseThrow(), "the copy is missing; the DAQ copy is intact")
                .orElseThrow();
        assertThat(back.state()).isEqualTo(FileState.REGISTERED);
        assertThat(back.shippedAt()).isNull();
        assertThat(back.localDeletedAt()).isNull();
        assertThat(back.adler32()).isEqualTo("0000abcd");
        assertThat(cat.events(a.id())).extracting(FileEvent::action).endsWith("audit", "audit-fix");
        assertThat(cat.events(a.id()).get(cat.events(a.id()).size() - 2).message()).contains("ON_DISK_STORAGE → QUARANTINED",
                "DAQ copy is intact");
        assertThat(cat.claim(Stage.SHIP, 10)).extracting(CatalogFile::id).containsExactly(a.id());
        assertThat(cat.list(new FileFilter(FileState.ON_DISK_STORAGE, null, null, null, 0, 10))).as("the third, untouched").hasSize(1);

        assertThat(cat.audit().reship(compressing, "x")).as("claimed, COMPRESSING").isEmpty();
        assertThat(cat.get(compressing.id()).orElseThrow().state()).isEqualTo(FileState.COMPRESSING);
        assertThat(cat.audit().reship(cat.get(a.id()).orElseThrow(), "x")).as("no longer ON_DISK_STORAGE").isEmpty();
    }
}
