package org.migdal.dm.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What {@code stat} says about one credential file (links followed): device, inode, size, modification and change
 * time, mode and owner; {@link #exists()} is false when there is no such file or it cannot be stat-ed. Two equal stamps
 * mean the file was neither replaced, rewritten, nor had its permissions or owner changed. Never its contents.
 */
public record FileStamp(Path path, boolean exists, long device, long inode, long size, FileTime modified, FileTime changed,
                        int mode, int owner) {

    /** The stamp of {@code path} now. */
    public static FileStamp of(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino,size,lastModifiedTime,ctime,mode,uid");
            return new FileStamp(path, true, ((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(),
                    ((Number) a.get("size")).longValue(), (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"),
                    ((Number) a.get("mode")).intValue(), ((Number) a.get("uid")).intValue());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return new FileStamp(path, false, -1, -1, -1, null, null, -1, -1);
        }
    }
}
