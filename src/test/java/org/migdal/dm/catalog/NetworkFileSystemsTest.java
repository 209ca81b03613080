package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A SQLite catalog on a network file system is refused, judged from a recorded /proc/self/mountinfo. */
class NetworkFileSystemsTest {

    /** Recorded from real hosts: root on overlay, /srv on ext4, an NFS home with a local scratch mounted inside it. */
    static final String MOUNTINFO = """
            22 27 0:21 / /proc rw,relatime - proc proc rw
            24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334492k,nr_inodes=3083623,mode=755
            27 1 0:26 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
            30 27 8:1 / /srv rw,relatime shared:5 - ext4 /dev/sda1 rw
            31 27 0:40 / /tmp rw,nosuid,nodev shared:6 - tmpfs tmpfs rw,size=8g
            40 27 0:50 / /home rw,relatime shared:20 - nfs4 fs01:/export/home rw,vers=4.2,rsize=1048576,hard,proto=tcp
            41 40 8:17 / /home/daq/scratch rw,relatime shared:21 - ext4 /dev/sdb1 rw
            42 27 0:51 / /mnt/daq\\040data rw,relatime shared:22 - cifs //nas/daq rw,vers=3.1.1
            43 27 0:52 / /mnt/daq rw,relatime shared:23 - xfs /dev/sdc1 rw
            44 27 0:53 / /mnt/remote rw,nosuid,nodev,relatime shared:24 - fuse.sshfs daq@host:/data rw,user_id=0
            45 27 0:54 / /data rw,relatime shared:25 - ext4 /dev/sdd1 rw
            46 27 0:55 / /data rw,relatime shared:26 - nfs fs02:/data rw,vers=3
            """;

    private final NetworkFileSystems fs = new NetworkFileSystems(() -> MOUNTINFO);

    @TempDir
    Path tmp;

    private String typeOf(String path) {
        return fs.mountOf(Path.of(path)).orElseThrow().type();
    }

    @Test
    void theLongestMountPointPrefixWins() {
        assertThat(typeOf("/home/daq/catalog")).isEqualTo("nfs4");
        assertThat(typeOf("/home/daq/scratch")).isEqualTo("ext4");
        assertThat(typeOf("/home/daq/scratch/migdal")).isEqualTo("ext4");
        assertThat(typeOf("/home/daq/scratchy")).as("a prefix of a name is not a parent folder").isEqualTo("nfs4");
        assertThat(typeOf("/srv/migdal")).isEqualTo("ext4");
        assertThat(typeOf("/var/lib/migdal")).isEqualTo("overlay");
        assertThat(typeOf("/tmp/x")).isEqualTo("tmpfs");
        assertThat(typeOf("/")).isEqualTo("overlay");
        assertThat(typeOf("/data/x")).as("of two mounts at one point the later (on top) counts").isEqualTo("nfs");
    }

    @Test
    void escapedSpacesInMountPointsAreUnderstood() {
        assertThat(fs.mountOf(Path.of("/mnt/daq data/catalog")).orElseThrow())
                .isEqualTo(new NetworkFileSystems.Mount("/mnt/daq data", "cifs"));
        assertThat(typeOf("/mnt/daq/catalog")).isEqualTo("xfs");
        assertThat(NetworkFileSystems.unescape("/a\\040b\\011c\\134d\\012")).isEqualTo("/a b\tc\\d\n");
        assertThat(NetworkFileSystems.unescape("/plain\\x")).isEqualTo("/plain\\x");
    }

    @Test
    void sqliteOnNfs4IsRefusedNamingThePathAndType() {
        assertThatThrownBy(() -> fs.refuseSqliteOn(Path.of("/home/daq/migdal/catalog.db")))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("/home/daq/migdal/catalog.db")
                .hasMessageContaining("nfs4")
                .hasMessageContaining("network file system")
                .hasMessageContaining("locking")
                .hasMessageContaining("PostgreSQL");
        assertThatThrownBy(() -> fs.refuseSqliteOn(Path.of("/mnt/daq data/catalog.db"))).hasMessageContaining("cifs");
        assertThatThrownBy(() -> fs.refuseSqliteOn(Path.of("/mnt/remote/catalog.db"))).hasMessageContaining("fuse.sshfs");
        assertThatThrownBy(() -> fs.refuseSqliteOn(Path.of("/data/catalog.db"))).hasMessageContaining("nfs");
    }

    @Test
    void sqliteOnLocalFileSystemsIsAccepted() {
        assertThatCode(() -> fs.refuseSqliteOn(Path.of("/srv/migdal/catalog.db"))).doesNotThrowAnyException();
        assertThatCode(() -> fs.refuseSqliteOn(Path.of("/var/lib/migdal/catalog.db"))).doesNotThrowAnyException();
        assertThatCode(() -> fs.refuseSqliteOn(Path.of("/tmp/catalog.db"))).doesNotThrowAnyException();
        assertThatCode(() -> fs.refuseSqliteOn(Path.of("/home/daq/scratch/catalog.db"))).doesNotThrowAnyException();
        assertThatCode(() -> fs.refuseSqliteOn(Path.of("/mnt/daq/catalog.db"))).doesNotThrowAnyException();
    }

    @Test
    void symbolicLinksAreResolvedBeforeTheMountIsLookedUp() throws Exception {
        // the temp folder's real path is what counts: a mount table that puts exactly it on NFS refuses it
        Path real = tmp.toRealPath();
        Path link = java.nio.file.Files.createSymbolicLink(tmp.resolve("link"), real);
        NetworkFileSystems nfs = new NetworkFileSystems(() -> MOUNTINFO + "50 27 0:60 / " + real.toString().replace(" ", "\\040")
                + " rw - nfs4 fs03:/x rw\n");
        assertThatThrownBy(() -> nfs.refuseSqliteOn(link.resolve("catalog.db"))).hasMessageContaining("nfs4");
    }

    @Test
    void anUnreadableMountTableRefusesNothingAndTheRealOneAcceptsTheTestFolder() {
        assertThatCode(() -> new NetworkFileSystems(() -> null).refuseSqliteOn(Path.of("/home/x/catalog.db")))
                .doesNotThrowAnyException();
        assertThatCode(() -> NetworkFileSystems.system().refuseSqliteOn(tmp.resolve("catalog.db"))).doesNotThrowAnyException();
    }

    @Test
    void theCatalogOpeningPathChecks() {
        // JdbcCatalog.open calls the check with the system mount table; on this host's local temp folder it opens
        JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                new ClaimPolicy("t", java.time.Duration.ofMinutes(1), 1, java.time.Duration.ofSeconds(1)),
                java.time.Clock.systemUTC(), 2).close();
        assertThat(tmp.resolve("catalog.db")).exists();
    }
}
