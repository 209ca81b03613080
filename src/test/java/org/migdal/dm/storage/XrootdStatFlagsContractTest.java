package org.migdal.dm.storage;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract tests for what the stock test server can never show (storage-servers.md §2.2, §3.1–3.2, §5): the tape
 * flags of {@code xrdfs stat} on EOS+CTA and dCache, and their checksum replies. The outputs are recorded in the exact
 * layout xrdfs 5.5 prints (XrdClFS.cc DoStat); the flag values come from the reference.
 */
class XrootdStatFlagsContractTest {

    private static String statOutput(String path, long size, String flagsLine) {
        return "Path:   " + path + "\n"
                + "Id:     9257836366331392\n"
                + "Size:   " + size + "\n"
                + "MTime:  2026-11-28 21:24:59\n"
                + "CTime:  2026-11-28 21:24:59\n"
                + "ATime:  2026-11-28 21:24:59\n"
                + "Flags:  " + flagsLine + "\n"
                + "Mode:   0644\n"
                + "Owner:  migdal\n"
                + "Group:  gridpp\n";
    }

    @Test
    void eosTapeOnlyFileIsOnTapeAndNotOnDisk() {
        XrootdStat st = XrootdStat.parse(statOutput("/eos/antares/prod/migdal/2208/220803/f.dat.bz2", 104857600,
                "152 (Offline|IsReadable|BackUpExists)"));
        assertThat(st.flags()).isEqualTo(152);
        assertThat(st.size()).isEqualTo(104857600L);
        assertThat(st.toRemoteFile("2208/220803/f.dat.bz2"))
                .isEqualTo(new RemoteFile("2208/220803/f.dat.bz2", 104857600L, false, true));
    }

    @Test
    void eosDiskAndTapeFileIsOnBoth() {
        XrootdStat st = XrootdStat.parse(statOutput("/eos/antares/prod/migdal/f.bz2", 42, "144 (IsReadable|BackUpExists)"));
        assertThat(st.toRemoteFile("f.bz2")).isEqualTo(new RemoteFile("f.bz2", 42, true, true));
    }

    @Test
    void eosWritableTapeOnlyFileStillCounts() {
        XrootdStat st = XrootdStat.parse(statOutput("/eos/x", 42, "184 (Offline|IsReadable|IsWritable|BackUpExists)"));
        assertThat(st.toRemoteFile("x")).isEqualTo(new RemoteFile("x", 42, false, true));
    }

    @Test
    void eosFileNotYetArchivedIsOnDiskOnly() {
        XrootdStat st = XrootdStat.parse(statOutput("/eos/x", 42, "16 (IsReadable)"));
        assertThat(st.toRemoteFile("x")).isEqualTo(new RemoteFile("x", 42, true, false));
    }

    /** dCache sets Offline for NEARLINE/LOST/UNAVAILABLE and never BackUpExists: Offline alone is no tape proof. */
    @Test
    void dcacheOfflineIsNotOnDiskAndNotProofOfTape() {
        XrootdStat st = XrootdStat.parse(statOutput("/pnfs/pp.rl.ac.uk/data/gridpp/migdal/f.dat", 7, "24 (Offline|IsReadable)"));
        RemoteFile r = st.toRemoteFile("f.dat");
        assertThat(r.onDisk()).isFalse();
        assertThat(r.onTape()).isFalse();
    }

    @Test
    void stockXrootdPlainFileAndFolder() {
        XrootdStat file = XrootdStat.parse(statOutput("/t/o.bin", 10485760, "48 (IsReadable|IsWritable)"));
        assertThat(file.toRemoteFile("t/o.bin")).isEqualTo(new RemoteFile("t/o.bin", 10485760, true, false));
        assertThat(file.isDirectory()).isFalse();
        XrootdStat dir = XrootdStat.parse(statOutput("/sp ace", 4096, "51 (XBitSet|IsDir|IsReadable|IsWritable)"));
        assertThat(dir.isDirectory()).isTrue();
        XrootdStat posc = XrootdStat.parse(statOutput("/t/posc.bin", 8388608, "112 (POSCPending|IsReadable|IsWritable)"));
        assertThat(posc.poscPending()).isTrue();
    }

    @Test
    void numberWithoutNamesAndZeroFlagsParse() {
        assertThat(XrootdStat.parse(statOutput("/x", 1, "0")).flags()).isZero();
        assertThat(XrootdStat.parse(statOutput("/x", 1, "128")).backUpExists()).isTrue();
    }

    @Test
    void garbledOrContradictoryOutputIsRefused() {
        assertThatThrownBy(() -> XrootdStat.parse("Path: /x\nSize: 12\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Flags");
        assertThatThrownBy(() -> XrootdStat.parse("Path: /x\nFlags: 16 (IsReadable)\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Size");
        assertThatThrownBy(() -> XrootdStat.parse(statOutput("/x", 1, "16 (IsReadable|BackUpExists)")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contradicts");
    }

    /** Tape residency over xroot is BackUpExists alone: EOS tape-only and disk+tape files; never dCache's Offline. */
    @Test
    void backUpExistsIsTheTapeEvidenceOverXroot() throws Exception {
        XrootdEndpoint eos = new XrootdEndpoint(URI.create("root://antares.stfc.ac.uk//eos/antares/prod/migdal"), StorageAuth.none());
        String url = eos.urlOf("f.bz2");
        for (String flags : new String[] {"152 (Offline|IsReadable|BackUpExists)", "144 (IsReadable|BackUpExists)"}) {
            RemoteFile st = XrootdStat.parse(statOutput("/eos/antares/prod/migdal/f.bz2", 42, flags)).toRemoteFile("f.bz2");
            assertThat(eos.tapeResidency("f.bz2", st)).isEqualTo(TapeResidency.onTape("xroot stat BackUpExists at " + url));
        }
        for (String flags : new String[] {"16 (IsReadable)", "24 (Offline|IsReadable)", "48 (IsReadable|IsWritable)"}) {
            RemoteFile st = XrootdStat.parse(statOutput("/eos/antares/prod/migdal/f.bz2", 42, flags)).toRemoteFile("f.bz2");
            TapeResidency r = eos.tapeResidency("f.bz2", st);
            assertThat(r.state()).as(flags).isEqualTo(TapeResidency.State.NOT_ON_TAPE);
            assertThat(r.evidence()).contains(url).contains("no BackUpExists");
        }
    }

    /** EOS sends the layout type zero-padded; dCache lower-cases; an md5 answer (dCache without cks.type) is refused. */
    @Test
    void checksumRepliesOfEachServer() throws Exception {
        assertThat(XrootdEndpoint.parseChecksumReply("adler32 084b021f\n", "u")).isEqualTo("084b021f");
        assertThat(XrootdEndpoint.parseChecksumReply("ADLER32 84B021F", "u")).isEqualTo("084b021f");
        assertThatThrownBy(() -> XrootdEndpoint.parseChecksumReply("md5 d41d8cd98f00b204e9800998ecf8427e", "root://h//f"))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.OTHER))
                .hasMessageContaining("md5").hasMessageContaining("root://h//f");
        assertThatThrownBy(() -> XrootdEndpoint.parseChecksumReply("adler32 xyz", "u")).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> XrootdEndpoint.parseChecksumReply("", "u")).isInstanceOf(StorageException.class);
    }

    @Test
    void exitCodesAndOutputMapToKinds() {
        assertThat(XrootdEndpoint.classify(54, "[ERROR] Server responded with an error: [3011] Unable to locate /nope; no such file or directory"))
                .isEqualTo(StorageException.Kind.NOT_FOUND);
        assertThat(XrootdEndpoint.classify(54, "rm /nope : [ERROR] Error response: no such file or directory"))
                .isEqualTo(StorageException.Kind.NOT_FOUND);
        assertThat(XrootdEndpoint.classify(50, "Run: [ERROR] Invalid operation: file exists")).isEqualTo(StorageException.Kind.EXISTS);
        assertThat(XrootdEndpoint.classify(54, "[ERROR] Server responded with an error: [3018] File already exists"))
                .isEqualTo(StorageException.Kind.EXISTS);
        assertThat(XrootdEndpoint.classify(52, "[FATAL] Auth failed: No protocols left to try")).isEqualTo(StorageException.Kind.DENIED);
        assertThat(XrootdEndpoint.classify(50, "[ERROR] Server responded with an error: [3010] Unable to open /x; permission denied"))
                .isEqualTo(StorageException.Kind.DENIED);
        assertThat(XrootdEndpoint.classify(50, "[ERROR] Server responded with an error: [3009] No space left on device"))
                .isEqualTo(StorageException.Kind.NO_SPACE);
        assertThat(XrootdEndpoint.classify(53, "Run: [ERROR] CheckSum error")).isEqualTo(StorageException.Kind.CORRUPT);
        assertThat(XrootdEndpoint.classify(51, "Run: [FATAL] Connection error:  (destination)")).isEqualTo(StorageException.Kind.TRANSIENT);
        // xrdfs exits 52 for an expired request too: the words decide, not the code
        assertThat(XrootdEndpoint.classify(52, "[ERROR] Operation expired")).isEqualTo(StorageException.Kind.TRANSIENT);
        assertThat(XrootdEndpoint.classify(51, "[FATAL] Invalid address")).isEqualTo(StorageException.Kind.TRANSIENT);
        assertThat(XrootdEndpoint.classify(50, "something new")).isEqualTo(StorageException.Kind.OTHER);
    }

    @Test
    void urlsAndPaths() throws Exception {
        XrootdEndpoint e = new XrootdEndpoint(URI.create("root://mover.pp.rl.ac.uk:1094/pnfs/pp.rl.ac.uk/data/migdal/"),
                StorageAuth.none());
        assertThat(e.serverPath("2208/220803/a b.dat")).isEqualTo("/pnfs/pp.rl.ac.uk/data/migdal/2208/220803/a b.dat");
        assertThat(e.urlOf("/2208/x.dat")).isEqualTo("root://mover.pp.rl.ac.uk:1094//pnfs/pp.rl.ac.uk/data/migdal/2208/x.dat");
        XrootdEndpoint dbl = new XrootdEndpoint(URI.create("roots://antares.stfc.ac.uk//eos/antares/prod/migdal"),
                StorageAuth.none());
        assertThat(dbl.urlOf("f.bz2")).isEqualTo("roots://antares.stfc.ac.uk//eos/antares/prod/migdal/f.bz2");
        assertThat(dbl.hostArg()).isEqualTo("roots://antares.stfc.ac.uk");
        assertThatThrownBy(() -> e.serverPath("../etc/passwd")).isInstanceOfSatisfying(StorageException.class,
                x -> assertThat(x.kind()).isEqualTo(StorageException.Kind.DENIED));
        assertThatThrownBy(() -> e.serverPath("a?oss.asize=1")).isInstanceOf(StorageException.class).hasMessageContaining("'?'");
        assertThatThrownBy(() -> e.serverPath("a\nb")).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> new XrootdEndpoint(URI.create("https://x/y"), StorageAuth.none()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Endpoints.open("root://localhost:1094//data")).isInstanceOf(XrootdEndpoint.class);
        assertThat(Endpoints.open("roots://localhost:1094//data")).isInstanceOf(XrootdEndpoint.class);
    }

    @Test
    void temporaryNamesAreHiddenShortSiblingsWhateverTheNameLength() {
        String t = StorageNames.tempBeside("/base/2208/MIG_x.dat");
        assertThat(t).startsWith("/base/2208/.mdm-").endsWith(".part").hasSize("/base/2208/".length() + 22);
        assertThat(StorageNames.isTemp(StorageNames.lastComponent(t))).isTrue();
        assertThat(StorageNames.tempBeside("/base/2208/MIG_x.dat")).isNotEqualTo(t);
        String longName = "/b/" + "é".repeat(127) + ".dat";
        assertThat(StorageNames.tempBeside(longName)).startsWith("/b/.mdm-").hasSize("/b/".length() + 22);
        assertThat(StorageNames.isTemp("MIG_x.dat")).isFalse();
        assertThat(StorageNames.isTemp(".mdm-abcdefghijk.part")).as("11 characters").isFalse();
        assertThat(StorageNames.isTemp(".mdm-abcdefghijkl.part.x")).isFalse();
        assertThat(StorageNames.isTemp(".MIG_x.dat.part-6f1c2c1e-0e1a-4b39-a8f4-6b0f7b6a3c2e")).isFalse();
    }

    @Test
    void listLinesWithSpacesInNames() throws Exception {
        XrootdEndpoint e = new XrootdEndpoint(URI.create("root://localhost:1094//base"), StorageAuth.none());
        StorageEntry f = e.parseListLine("-rw-r--r-- xrootd xrootd 6 2026-11-28 21:25:23 /base/sp ace/ü ñ €.txt", "u");
        assertThat(f.path()).isEqualTo("/sp ace/ü ñ €.txt");
        assertThat(f.size()).isEqualTo(6);
        assertThat(f.directory()).isFalse();
        StorageEntry d = e.parseListLine("drwxr-x--- xrootd xrootd 4096 2026-11-28 21:25:36 /base/m/n", "u");
        assertThat(d.directory()).isTrue();
        assertThat(d.path()).isEqualTo("/m/n");
        assertThatThrownBy(() -> e.parseListLine("garbage", "u")).isInstanceOf(StorageException.class);
    }
}
