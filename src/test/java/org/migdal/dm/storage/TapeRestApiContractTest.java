package org.migdal.dm.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Tape residency over https through the WLCG Tape REST API, against {@link TapeRestContractServer} speaking the formats
 * storage-servers.md records for the EOS+CTA MGM (discovery through .well-known, {@code /api/v1/archiveinfo/}) and the
 * dCache frontend (no .well-known at the WebDAV door, {@code /api/v1/tape/archiveinfo} configured). Only locality
 * {@code TAPE} and {@code DISK_AND_TAPE} confirm a tape copy; dCache's {@code NEARLINE} never does.
 */
class TapeRestApiContractTest {
    @TempDir
    Path dir;
    TapeRestContractServer server;

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private Checksum put(String relative, String text) throws Exception {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path p = dir.resolve(server.serverPath(relative).substring(1));
        Files.createDirectories(p.getParent());
        Files.write(p, b);
        Adler32 a = new Adler32();
        a.update(b);
        return Checksum.adler32(a.getValue());
    }

    private static TapeResidency residency(DavEndpoint ep, String path) throws StorageException {
        return ep.tapeResidency(path, ep.stat(path).orElseThrow());
    }

    @Test
    void eosDiscoveredApiOnlyTapeAndDiskAndTapeConfirm() throws Exception {
        server = new TapeRestContractServer(TapeRestContractServer.Dialect.EOS, dir, "/eos/antares/prod/migdal");
        DavEndpoint ep = new DavEndpoint(URI.create(server.storageUrl()), StorageAuth.none());
        String[][] cases = {
                {"TAPE", "ON_TAPE"}, {"DISK_AND_TAPE", "ON_TAPE"}, {"DISK", "NOT_ON_TAPE"}, {"NEARLINE", "NOT_ON_TAPE"},
                {"ONLINE_AND_NEARLINE", "NOT_ON_TAPE"}, {"UNAVAILABLE", "NOT_ON_TAPE"}, {"LOST", "NOT_ON_TAPE"}, {"NONE", "NOT_ON_TAPE"}};
        for (String[] c : cases) {
            String path = "/2208/220803/" + c[0] + ".dat.bz2";
            Checksum sum = put(path, "compressed bytes of " + c[0]);
            server.locality(path, c[0]);
            TapeResidency r = residency(ep, path);
            assertThat(r.state()).as(c[0]).hasToString(c[1]);
            assertThat(r.evidence()).as(c[0]).contains("archiveinfo locality " + c[0] + " at " + server.tapeRestApi() + "archiveinfo/");
            CopyCheck.Outcome o = CopyCheck.confirm(ep, path, Files.size(dir.resolve(server.serverPath(path).substring(1))), sum,
                    CopyCheck.Residency.REQUIRED);
            assertThat(o instanceof CopyCheck.Confirmed).as(c[0]).isEqualTo(c[1].equals("ON_TAPE"));
            if (o instanceof CopyCheck.Confirmed ok) {
                assertThat(ok.evidence().tape()).isEqualTo("archiveinfo locality " + c[0] + " at " + server.tapeRestApi() + "archiveinfo/");
            } else {
                assertThat(((CopyCheck.Mismatch) o).message()).contains(ep.urlOf(path)).contains("not yet on tape")
                        .contains("locality " + c[0]);
            }
        }
        assertThat(server.requests("GET", TapeRestClient.WELL_KNOWN)).as("discovered once per endpoint").isEqualTo(1);
        assertThat(server.archiveInfoBodies().get(0))
                .isEqualTo("{\"paths\":[\"/eos/antares/prod/migdal/2208/220803/TAPE.dat.bz2\"]}");
        assertThat(server.archiveInfoContentTypes()).containsOnly("application/json");
    }

    @Test
    void aPerPathErrorIsNotATapeCopy() throws Exception {
        server = new TapeRestContractServer(TapeRestContractServer.Dialect.EOS, dir, "/eos/antares/prod/migdal");
        DavEndpoint ep = new DavEndpoint(URI.create(server.storageUrl()), StorageAuth.none());
        Checksum sum = put("/f.bz2", "x");
        server.error("/f.bz2", "USER ERROR: you don't have prepare permission");
        TapeResidency r = residency(ep, "/f.bz2");
        assertThat(r.state()).isEqualTo(TapeResidency.State.NOT_ON_TAPE);
        assertThat(r.evidence()).contains("USER ERROR: you don't have prepare permission").contains("/eos/antares/prod/migdal/f.bz2");
        assertThat(CopyCheck.confirm(ep, "/f.bz2", 1, sum, CopyCheck.Residency.REQUIRED)).isInstanceOf(CopyCheck.Mismatch.class);
    }

    @Test
    void anApiThatCannotAnswerIsAStorageErrorNotAMismatch() throws Exception {
        server = new TapeRestContractServer(TapeRestContractServer.Dialect.EOS, dir, "/eos/antares/prod/migdal");
        DavEndpoint ep = new DavEndpoint(URI.create(server.storageUrl()), StorageAuth.none());
        Checksum sum = put("/f.bz2", "x");
        server.locality("/f.bz2", "TAPE");
        server.failArchiveInfo(true);
        StorageException e = catchThrowableOfType(() -> CopyCheck.confirm(ep, "/f.bz2", 1, sum, CopyCheck.Residency.REQUIRED),
                StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.TRANSIENT);
        assertThat(e.getMessage()).contains(ep.urlOf("/f.bz2")).contains("archiveinfo").contains("503")
                .contains("the tape REST API is disabled");
        server.failArchiveInfo(false);
        assertThat(CopyCheck.confirm(ep, "/f.bz2", 1, sum, CopyCheck.Residency.REQUIRED)).isInstanceOf(CopyCheck.Confirmed.class);
    }

    @Test
    void aDcacheDoorOffersNoDiscoverySoTheFrontendMustBeConfigured() throws Exception {
        server = new TapeRestContractServer(TapeRestContractServer.Dialect.DCACHE, dir, "/pnfs/pp.rl.ac.uk/data/gridpp/migdal");
        Checksum sum = put("/f.bz2", "raw");
        server.locality("/f.bz2", "TAPE");

        DavEndpoint door = new DavEndpoint(URI.create(server.storageUrl()), StorageAuth.none());
        TapeResidency r = residency(door, "/f.bz2");
        assertThat(r.state()).isEqualTo(TapeResidency.State.NOT_OFFERED);
        assertThat(r.evidence()).contains(TapeRestClient.WELL_KNOWN).contains("404").contains("storage.tapeRestApi");
        StorageException e = catchThrowableOfType(() -> CopyCheck.confirm(door, "/f.bz2", 3, sum, CopyCheck.Residency.REQUIRED),
                StorageException.class);
        assertThat(e.getMessage()).contains("cannot confirm the tape copy").contains("storage.tapeRestApi");
        assertThat(CopyCheck.confirm(door, "/f.bz2", 3, sum, CopyCheck.Residency.RECORDED).confirmed().orElseThrow().tape())
                .startsWith("size+adler32 only");

        StorageEndpoint configured = Endpoints.open(server.storageUrl(), StorageAuth.none(), Optional.of(server.tapeRestApi()));
        CopyCheck.Evidence ok = CopyCheck.confirm(configured, "/f.bz2", 3, sum, CopyCheck.Residency.REQUIRED).confirmed().orElseThrow();
        assertThat(ok.tape()).isEqualTo("archiveinfo locality TAPE at " + server.tapeRestApi() + "/archiveinfo");
        assertThat(server.archiveInfoBodies()).last().isEqualTo("{\"paths\":[\"/pnfs/pp.rl.ac.uk/data/gridpp/migdal/f.bz2\"]}");

        // what dCache calls NEARLINE in PROPFIND (also a disk-only file needing a pool-to-pool copy) is no tape copy
        server.locality("/f.bz2", "NEARLINE");
        assertThat(CopyCheck.confirm(configured, "/f.bz2", 3, sum, CopyCheck.Residency.REQUIRED))
                .isInstanceOfSatisfying(CopyCheck.Mismatch.class, m -> assertThat(m.found()).contains("locality NEARLINE"));
        server.locality("/f.bz2", "DISK_AND_TAPE");
        assertThat(CopyCheck.confirm(configured, "/f.bz2", 3, sum, CopyCheck.Residency.REQUIRED)).isInstanceOf(CopyCheck.Confirmed.class);
    }
}
