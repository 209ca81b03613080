package org.migdal.dm.storage;

/**
 * What a storage says about one file. {@code onTape}/{@code onDisk} are {@code null} where the
 * protocol cannot tell.
 */
public record RemoteFile(String path, long size, Boolean onDisk, Boolean onTape) {
}
