package org.migdal.dm.daq;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogException;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.Stage;

import java.nio.file.Path;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scan's registration in bounded batches, on a real SQLite catalog, with batches small enough to see many of them. */
class RegistrarTest {
    @TempDir
    Path tmp;
    JdbcCatalog catalog;

    @BeforeEach
    void setUp() {
        catalog = DaqTestSupport.catalog(tmp.resolve("catalog.db"), "test:1:1", 3, Duration.ZERO, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    private static NewFile file(int i) {
        String run = "MIG_Fe55_data_220803T145447";
        String name = String.format("%s.CAL.%04d.dat", run, i);
        return new NewFile("/2208/220803/" + run + "/" + name, "data1", run + "/" + name, run, 100 + i, Instant.ofEpochSecond(1_660_000_000L + i));
    }

    private static Registrar.Tally register(JdbcCatalog catalog, int batch, List<NewFile> files) {
        try (Registrar r = new Registrar(catalog, "data1", batch)) {
            files.forEach(r::add);
            return r.finish();
        }
    }

    @Test
    void everyFileOfManyBatchesIsRegisteredOnceWithItsHistoryAndARescanFindsThemKnown() {
        List<NewFile> files = IntStream.range(0, 53).mapToObj(RegistrarTest::file).toList();

        Registrar.Tally first = register(catalog, 10, files);

        assertThat(first).isEqualTo(new Registrar.Tally(53, 53, 0, 0));
        List<CatalogFile> rows = catalog.list(FileFilter.all(1000));
        assertThat(rows).extracting(CatalogFile::lfn).containsExactlyInAnyOrderElementsOf(files.stream().map(NewFile::lfn).toList());
        assertThat(rows).allSatisfy(f -> {
            assertThat(f.state()).isEqualTo(FileState.REGISTERED);
            assertThat(catalog.events(f.id())).singleElement().satisfies(e -> assertThat(e.message())
                    .isEqualTo("registered from data1:" + f.localPath() + " (" + f.size() + " bytes)"));
        });
        assertThat(register(catalog, 10, files)).isEqualTo(new Registrar.Tally(53, 0, 0, 53));
    }

    @Test
    void aMissingFileInALaterBatchComesBackAndOnlyIt() {
        List<NewFile> files = IntStream.range(0, 30).mapToObj(RegistrarTest::file).toList();
        register(catalog, 7, files);
        CatalogFile claimed = catalog.claim(Stage.SHIP, 1, null, List.of()).get(0);
        catalog.markMissing(claimed, "vanished");

        Registrar.Tally again = register(catalog, 7, files);

        assertThat(again).isEqualTo(new Registrar.Tally(30, 0, 1, 29));
        assertThat(again.registered()).isEqualTo(1);
        assertThat(catalog.find(claimed.lfn()).orElseThrow().state()).isEqualTo(FileState.REGISTERED);
    }

    @Test
    void aCatalogFailureStopsTheWalkAndTheBatchesBeforeItStayCommitted() {
        List<NewFile> files = IntStream.range(0, 40).mapToObj(RegistrarTest::file).toList();
        register(catalog, 10, files.subList(0, 10));
        catalog.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TRIGGER refuse BEFORE INSERT ON files BEGIN SELECT RAISE(ABORT, 'catalog refuses inserts'); END");
            }
            return null;
        }, "test trigger");

        assertThatThrownBy(() -> register(catalog, 10, files.subList(10, 40))).isInstanceOf(CatalogException.class)
                .hasMessageContaining("registering").hasMessageContaining(files.get(10).lfn());
        assertThat(catalog.count(FileFilter.all(1000))).isEqualTo(10);
    }
}
