package org.migdal.dm.catalog;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life of one raw file. This enum is the only place that says which transitions are legal;
 * {@link JdbcCatalog} refuses any other.
 *
 * <pre>
 * REGISTERED → SHIPPING → ON_DISK_STORAGE → COMPRESSING → COMPRESSED → TAPE_SUBMITTED → ON_TAPE
 * any working state → QUARANTINED (attempts exhausted or contradicting data; an operator can retry)
 * REGISTERED, SHIPPING → MISSING (the DAQ file vanished from a mounted, readable disk before it was shipped)
 * MISSING → REGISTERED (the file is back on a rescan, or an operator's retry)
 * MISSING → FORGOTTEN (an operator's {@code forget}: it will never come back; the row and its history stay)
 * FORGOTTEN → REGISTERED (the file turns up on a rescan after all: data found on a DAQ disk is always shipped)
 * </pre>
 *
 * Deleting the local DAQ copy and the raw storage copy are recorded as timestamps on the row
 * ({@code local_deleted_at}, {@code raw_deleted_at}), not as states: they happen beside the main
 * flow and each has its own verification.
 */
public enum FileState {
    /** Listed on a DAQ disk, waiting to be shipped. */
    REGISTERED(false),
    /** A process holds a claim and is copying the file to disk storage. */
    SHIPPING(true),
    /** Confirmed in disk storage by the storage itself (size and adler32). */
    ON_DISK_STORAGE(false),
    /** A process holds a claim and is compressing the storage copy. */
    COMPRESSING(true),
    /** The compressed copy is uploaded beside the raw copy and confirmed. */
    COMPRESSED(false),
    /** The compressed copy is handed to a tape mover (built-in or FTS3). */
    TAPE_SUBMITTED(true),
    /** The compressed copy is confirmed on tape with the recorded checksum. */
    ON_TAPE(false),
    /** Stopped: attempts exhausted or the data contradicts itself. Needs an operator. */
    QUARANTINED(false),
    /** The DAQ file vanished from its (mounted, readable) disk before it was shipped. Does not hold the disk back. */
    MISSING(false),
    /** A MISSING file an operator acknowledged with {@code forget}: not work, not waited for; the row is kept. */
    FORGOTTEN(false);

    private final boolean working;

    FileState(boolean working) {
        this.working = working;
    }

    /** True for the states in which a process holds (or held) a claim on the file. */
    public boolean isWorking() {
        return working;
    }

    private static final Map<FileState, Set<FileState>> LEGAL = Map.of(
            REGISTERED, EnumSet.of(SHIPPING, QUARANTINED, MISSING),
            SHIPPING, EnumSet.of(ON_DISK_STORAGE, REGISTERED, QUARANTINED, MISSING),
            ON_DISK_STORAGE, EnumSet.of(COMPRESSING, QUARANTINED),
            COMPRESSING, EnumSet.of(COMPRESSED, ON_DISK_STORAGE, QUARANTINED),
            COMPRESSED, EnumSet.of(TAPE_SUBMITTED, QUARANTINED),
            TAPE_SUBMITTED, EnumSet.of(ON_TAPE, COMPRESSED, QUARANTINED),
            ON_TAPE, EnumSet.of(QUARANTINED),
            QUARANTINED, EnumSet.of(REGISTERED, ON_DISK_STORAGE, COMPRESSED, TAPE_SUBMITTED, ON_TAPE),
            MISSING, EnumSet.of(REGISTERED, FORGOTTEN),
            FORGOTTEN, EnumSet.of(REGISTERED));

    /**
     * True for the states that no longer stand for a copy on a DAQ disk that someone waits for: the file vanished
     * (MISSING) or was given up (FORGOTTEN). Such files do not hold a disk's hand-back and are not work waiting.
     */
    public boolean isGoneFromDaq() {
        return this == MISSING || this == FORGOTTEN;
    }

    /**
     * True only for the state in which the tape copy is confirmed (ON_TAPE): the tape endpoint confirmed the recorded size
     * and adler32 and, where it can tell, residency. No other state is "on tape or beyond": a file QUARANTINED from ON_TAPE
     * had its tape copy contradicted. A run is complete when every one of its files is in this state ({@link Runs}).
     */
    /** Files in this state still have to be moved on by the pipeline (not on tape, not given up or set aside). */
    public boolean isAwaitingWork() {
        return switch (this) {
            case REGISTERED, SHIPPING, ON_DISK_STORAGE, COMPRESSING, COMPRESSED, TAPE_SUBMITTED -> true;
            case ON_TAPE, QUARANTINED, MISSING, FORGOTTEN -> false;
        };
    }

    public boolean isTapeCopyConfirmed() {
        return this == ON_TAPE;
    }

    /** True for a file an operator gave up ({@code forget}): it will never reach tape, and a run holding it stays incomplete. */
    public boolean isGivenUp() {
        return this == FORGOTTEN;
    }

    public boolean canMoveTo(FileState target) {
        return LEGAL.get(this).contains(target);
    }

    /** Throws {@link IllegalTransitionException} unless {@code this → target} is legal. */
    public void checkMoveTo(FileState target, String lfn) {
        if (!canMoveTo(target)) {
            throw new IllegalTransitionException(lfn, this, target);
        }
    }

    /**
     * Where a file goes back to when work in this state fails or is retried: the resting state
     * before the working one. Resting states map to themselves.
     */
    public FileState restingState() {
        return switch (this) {
            case SHIPPING -> REGISTERED;
            case COMPRESSING -> ON_DISK_STORAGE;
            case TAPE_SUBMITTED -> COMPRESSED;
            default -> this;
        };
    }

    public static FileState parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown state '" + text + "'; known states: "
                    + java.util.Arrays.toString(values()));
        }
    }
}
