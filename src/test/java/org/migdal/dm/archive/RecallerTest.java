package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogException;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.Recall;
import org.migdal.dm.catalog.RecallStore;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.storage.FileEndpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Recall from tape to a chosen endpoint, verified on arrival, tracked in the catalog. Real files, real SQLite. */
class RecallerTest {
    @TempDir
    Path tmp;
    ArchiveFixture fx;
    RecallStore recalls;
    FileEndpoint dest;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        fx.shipped(2, 2);
        assertThat(fx.compression(Codec.BZIP2, 150).run(b -> { }).compressed()).isEqualTo(2);
        assertThat(fx.mover(150).move().onTape()).isEqualTo(2);
        recalls = new RecallStore(fx.catalog, Clock.systemUTC(), Duration.ofMinutes(30), 2);
        dest = new FileEndpoint(Files.createDirectories(tmp.resolve("recalled")).toUri());
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    Recaller recaller() {
        return new Recaller(fx.catalog, recalls, fx.tape, url -> dest);
    }

    @Test
    void recallsCopyTheTapeCopyAndVerifyItOnArrival() throws Exception {
        List<CatalogFile> onTape = fx.catalog.list(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 10));
        for (CatalogFile f : onTape) {
            assertThat(recalls.request(f, dest.base().toString())).isTrue();
            assertThat(recalls.request(f, dest.base().toString())).as("an open recall is not requested twice").isFalse();
        }

        Recaller.Report r = recaller().run(10);

        assertThat(r.done()).isEqualTo(2);
        for (CatalogFile f : onTape) {
            Path arrived = tmp.resolve("recalled").resolve(f.compressedName().substring(1));
            assertThat(arrived).hasSameBinaryContentAs(fx.onTape(f.compressedName()));
            assertThat(ArchiveFixture.adler32(arrived)).isEqualTo(f.compressedAdler32());
            assertThat(recalls.of(f.id())).singleElement().satisfies(x -> {
                assertThat(x.state()).isEqualTo(Recall.State.DONE);
                assertThat(x.finishedAt()).isNotNull();
            });
            assertThat(fx.catalog.events(f.id())).extracting(FileEvent::action).contains("recall-request", "recall");
            assertThat(fx.catalog.events(f.id())).last().extracting(FileEvent::message).asString()
                    .contains("destination confirms").contains(f.compressedAdler32());
        }
        assertThat(recaller().run(10).done()).as("nothing left to do").isZero();
    }

    @Test
    void aDamagedTapeCopyIsNeverReportedAsRecalled() throws Exception {
        CatalogFile f = fx.catalog.list(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 1)).get(0);
        ArchiveFixture.flipByte(fx.onTape(f.compressedName()), 10);
        recalls.request(f, dest.base().toString());

        Recaller.Report first = recaller().run(10);

        assertThat(first.failed()).isEqualTo(1);
        Recall r = recalls.of(f.id()).get(0);
        assertThat(r.state()).isEqualTo(Recall.State.REQUESTED);
        assertThat(r.lastError()).contains("read back with adler32").contains(f.compressedAdler32());
    }

    @Test
    void onlyFilesOnTapeCanBeRecalled() throws Exception {
        CatalogFile f = fx.catalog.list(FileFilter.all(1)).get(0);
        CatalogFile notOnTape = new CatalogFile(f.id(), f.lfn(), f.disk(), f.localPath(), f.run(), f.size(), f.mtime(), f.adler32(),
                FileState.COMPRESSED, f.compressedName(), f.compressedSize(), f.compressedAdler32(), null, f.registeredAt(),
                f.shippedAt(), f.localDeletedAt(), f.compressedAt(), null, null, null, 0, null, null, null, null, null, f.updatedAt(), null, 0, null);
        assertThatThrownBy(() -> recalls.request(notOnTape, dest.base().toString())).isInstanceOf(CatalogException.class)
                .hasMessageContaining("not ON_TAPE");
    }
}
