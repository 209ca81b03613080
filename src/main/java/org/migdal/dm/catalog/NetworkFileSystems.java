package org.migdal.dm.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Tells whether a path lies on a network file system, from the mount table of {@code /proc/self/mountinfo}: SQLite's
 * file locking is not safe there (NFS, SMB, sshfs, cluster file systems), so a SQLite catalog on one is refused. Where
 * the mount table cannot be read (not Linux) nothing can be told and nothing is refused.
 */
public final class NetworkFileSystems {

    /** File system types (mountinfo's fstype field) on which SQLite's locking cannot be trusted. */
    static final Set<String> NETWORK = Set.of(
            "nfs", "nfs4", "cifs", "smb", "smb3", "smbfs", "ncpfs", "coda", "afs", "lustre", "gpfs", "ceph", "glusterfs",
            "9p", "beegfs", "orangefs", "pvfs2", "panfs", "wekafs", "davfs", "sshfs",
            "fuse.sshfs", "fuse.glusterfs", "fuse.ceph-fuse", "fuse.cephfs", "fuse.s3fs", "fuse.gcsfuse", "fuse.rclone",
            "fuse.davfs2", "fuse.davfs", "fuse.juicefs", "fuse.moosefs", "fuse.mfs", "fuse.lizardfs", "fuse.quobyte",
            "fuse.beegfs", "fuse.eosxd", "fuse.eos", "fuse.xrootdfs", "fuse.goofys", "fuse.blobfuse", "fuse.blobfuse2",
            "fuse.lustre", "fuse.gpfs", "fuse.smbnetfs", "fuse.curlftpfs", "fuse.gvfsd-fuse");

    private static final NetworkFileSystems SYSTEM = new NetworkFileSystems(() -> {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (IOException | RuntimeException e) {
            return null; // not Linux, or no /proc: nothing can be told
        }
    });

    /** One mount: where it is mounted and its file system type. */
    public record Mount(String mountPoint, String type) {
        public boolean isNetwork() {
            return NETWORK.contains(type.toLowerCase(Locale.ROOT));
        }
    }

    private final Supplier<String> mountinfo;

    /** @param mountinfo the text of a {@code /proc/self/mountinfo}, or null when it cannot be read */
    public NetworkFileSystems(Supplier<String> mountinfo) {
        this.mountinfo = mountinfo;
    }

    /** Reads this process's {@code /proc/self/mountinfo}. */
    public static NetworkFileSystems system() {
        return SYSTEM;
    }

    /**
     * Refuses a SQLite database at {@code database} (its folder must exist) on a network file system, with an error that
     * says why and what to use instead.
     */
    public void refuseSqliteOn(Path database) {
        Path real = realFolder(database);
        Optional<Mount> mount = mountOf(real);
        if (mount.isPresent() && mount.get().isNetwork()) {
            throw new CatalogException("refusing the SQLite catalog " + database.toAbsolutePath() + ": its folder " + real
                    + " is on a network file system (" + mount.get().type() + ", mounted at " + mount.get().mountPoint()
                    + "); SQLite's file locking is not safe there and the catalog could be corrupted. Keep a SQLite catalog"
                    + " on a local disk of the one host that runs migdal-dm, or use PostgreSQL (catalog.url:"
                    + " jdbc:postgresql://HOST/DB; move with 'migdal-dm catalog copy').");
        }
    }

    /** The network mount holding the folder of {@code file}, if it is on one. */
    public Optional<Mount> networkMountOf(Path file) {
        return mountOf(realFolder(file)).filter(Mount::isNetwork);
    }

    /** The folder of {@code file} with symbolic links resolved (as named when it does not exist). */
    private static Path realFolder(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            return file.toAbsolutePath();
        }
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.normalize();
        }
    }

    /** The mount holding {@code realPath} (an absolute path with symbolic links resolved): the longest mount point prefix. */
    public Optional<Mount> mountOf(Path realPath) {
        String text = mountinfo.get();
        if (text == null) {
            return Optional.empty();
        }
        String path = realPath.toString();
        Mount best = null;
        for (String line : text.split("\n")) {
            Mount m = parse(line);
            if (m == null || !under(path, m.mountPoint())) {
                continue;
            }
            // the longest mount point wins; of equal ones the later line (mounted on top) wins
            if (best == null || m.mountPoint().length() >= best.mountPoint().length()) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    private static boolean under(String path, String mountPoint) {
        if (mountPoint.equals("/")) {
            return path.startsWith("/");
        }
        return path.equals(mountPoint) || path.startsWith(mountPoint + "/");
    }

    /** One mountinfo line: {@code id parent major:minor root mountpoint options [optional…] - fstype source superoptions}. */
    static Mount parse(String line) {
        String[] f = line.trim().split(" ");
        if (f.length < 7) {
            return null;
        }
        int dash = -1;
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals("-")) {
                dash = i;
                break;
            }
        }
        if (dash < 0 || dash + 1 >= f.length) {
            return null;
        }
        return new Mount(unescape(f[4]), f[dash + 1]);
    }

    /** The kernel writes space, tab, newline and backslash in mount points as octal escapes ({@code \040} …). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
