package org.migdal.dm.catalog;

import java.util.EnumSet;
import java.util.Set;

/** A piece of work that is taken by claim: which resting state it starts from and which working state it holds. */
public enum Stage {
    SHIP(FileState.REGISTERED, FileState.SHIPPING),
    COMPRESS(FileState.ON_DISK_STORAGE, FileState.COMPRESSING),
    TAPE(FileState.COMPRESSED, FileState.TAPE_SUBMITTED);

    private final FileState from;
    private final FileState working;

    Stage(FileState from, FileState working) {
        this.from = from;
        this.working = working;
    }

    public FileState from() {
        return from;
    }

    public FileState working() {
        return working;
    }

    public Set<FileState> claimable() {
        return EnumSet.of(from, working);
    }
}
