package org.migdal.dm.audit;

/** The kinds of discrepancy {@code migdal-dm audit} reports; all but {@link #TEMPORARY_IN_FLIGHT} make it exit 1. */
public enum Kind {
    /** The catalog says ON_TAPE; the tape endpoint has no file under the compressed copy's name. */
    TAPE_COPY_MISSING(true),
    /** The catalog says ON_TAPE; the tape endpoint's copy has another size or adler32, or (where it can tell) no tape copy. */
    TAPE_COPY_DIFFERS(true),
    /** A storage copy (raw or compressed) the catalog's state says is there is not. */
    STORAGE_COPY_MISSING(true),
    /** A storage copy (raw or compressed) has another size or adler32 than the catalog records. */
    STORAGE_COPY_DIFFERS(true),
    /** A data file on a DAQ disk whose files the catalog should all know, and does not. */
    DAQ_FILE_UNKNOWN(true),
    /** A file at the storage or tape endpoint that no catalog row names. */
    UNKNOWN_COPY(true),
    /** An upload temporary ({@code .mdm-*.part}) untouched for longer than {@code janitor.tempMaxAgeHours}. */
    ORPHANED_TEMPORARY(true),
    /** An upload temporary younger than that: an upload in progress; listed, not a discrepancy. */
    TEMPORARY_IN_FLIGHT(false),
    /** An endpoint or DAQ disk that cannot be believed now (DOWN, no marker, not mounted): nothing was concluded from it. */
    UNTRUSTED(true),
    /** A copy or folder that could not be checked (the endpoint's reply is the evidence). */
    CHECK_FAILED(true);

    private final boolean discrepancy;

    Kind(boolean discrepancy) {
        this.discrepancy = discrepancy;
    }

    /** Whether this kind makes the audit fail (exit 1). */
    public boolean discrepancy() {
        return discrepancy;
    }
}
