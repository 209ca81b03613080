package org.migdal.dm.cli;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Test helper run as its own process: takes the exclusive lock on the file given as argument, like a running
 * {@code migdal-dm run} does, prints {@code LOCKED}, and holds it until its standard input is closed.
 */
public final class DaqLockHolder {
    private DaqLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                System.out.println("BUSY");
                System.exit(4);
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " (test lock holder)").getBytes(StandardCharsets.UTF_8)));
            ch.force(false);
            System.out.println("LOCKED " + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the test closes our stdin
            }
            lock.release();
        }
    }
}
