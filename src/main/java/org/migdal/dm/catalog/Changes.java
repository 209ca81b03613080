package org.migdal.dm.catalog;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** The columns a state change sets besides the state itself. Only the named columns can be set. */
public final class Changes {

    public enum Column {
        ADLER32("adler32"),
        COMPRESSED_NAME("compressed_name"),
        COMPRESSED_SIZE("compressed_size"),
        COMPRESSED_ADLER32("compressed_adler32"),
        TAPE_TRANSFER_ID("tape_transfer_id"),
        TAPE_JOB_CONFIRMED_AT("tape_job_confirmed_at"),
        TAPE_EVIDENCE("tape_evidence"),
        SIZE("size"),
        MTIME("mtime");

        final String sql;

        Column(String sql) {
            this.sql = sql;
        }
    }

    private final EnumMap<Column, Object> values = new EnumMap<>(Column.class);

    public static Changes none() {
        return new Changes();
    }

    public Changes adler32(String v) {
        values.put(Column.ADLER32, v);
        return this;
    }

    public Changes compressed(String name, long size, String adler32) {
        values.put(Column.COMPRESSED_NAME, name);
        values.put(Column.COMPRESSED_SIZE, size);
        values.put(Column.COMPRESSED_ADLER32, adler32);
        return this;
    }

    public Changes tapeTransferId(String v) {
        values.put(Column.TAPE_TRANSFER_ID, v);
        return this;
    }

    /** FTS acknowledged the recorded job of the file at {@code at} (200, 409 duplicate sid, or found by a lookup). */
    public Changes tapeJobConfirmed(java.time.Instant at) {
        values.put(Column.TAPE_JOB_CONFIRMED_AT, at.toEpochMilli());
        return this;
    }

    /** What confirmed the tape copy ({@link org.migdal.dm.storage.CopyCheck.Evidence#tape()}). */
    public Changes tapeEvidence(String v) {
        values.put(Column.TAPE_EVIDENCE, v);
        return this;
    }

    public Changes sizeAndMtime(long size, long mtimeMillis) {
        values.put(Column.SIZE, size);
        values.put(Column.MTIME, mtimeMillis);
        return this;
    }

    Map<Column, Object> values() {
        return Collections.unmodifiableMap(values);
    }
}
