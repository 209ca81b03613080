package org.migdal.dm.catalog;

import java.time.Instant;

/**
 * One row of the catalog: a raw file and everything known about its copies. Times are
 * {@code null} when the event has not happened. {@code claimToken} names one claim: a step that finds another token
 * (or none) lost its claim; {@code crashes} counts the workers that died holding the file, apart from attempts.
 * {@code tapeEvidence} says what confirmed the tape copy (e.g. {@code "archiveinfo locality TAPE at https://…"}),
 * {@code null} until it is ON_TAPE.
 */
public record CatalogFile(
        long id,
        String lfn,
        String disk,
        String localPath,
        String run,
        long size,
        Instant mtime,
        String adler32,
        FileState state,
        String compressedName,
        Long compressedSize,
        String compressedAdler32,
        String tapeTransferId,
        Instant registeredAt,
        Instant shippedAt,
        Instant localDeletedAt,
        Instant compressedAt,
        Instant tapeSubmittedAt,
        Instant onTapeAt,
        Instant rawDeletedAt,
        int attempts,
        String lastError,
        Instant nextAttemptAt,
        FileState quarantinedFrom,
        String claimOwner,
        Instant claimExpires,
        Instant updatedAt,
        String claimToken,
        int crashes,
        String tapeEvidence) {
}
