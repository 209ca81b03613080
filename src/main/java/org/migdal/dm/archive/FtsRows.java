package org.migdal.dm.archive;

import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.fts.Job;
import org.migdal.dm.fts.JobFile;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which row of an FTS job is about our file, and whether it says what we asked for (issue 10, defect 13). A job id or a
 * {@code catalog_id} in the metadata proves nothing: another catalog (a test instance, a rebuilt or re-imported
 * catalog) using the same proxy against the same FTS may hold the same ids for other files. Our row is the one whose
 * destination is the URL we sent; it is believed only if it also carries the size and adler32 we sent.
 */
final class FtsRows {
    private FtsRows() {
    }

    /** The row of {@code job} whose destination is {@code destination}, if any (the last one if FTS lists several). */
    static Optional<JobFile> rowOf(Job job, String destination) {
        JobFile found = null;
        for (JobFile jf : job.files()) {
            if (destination.equals(jf.destSurl())) {
                found = jf;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Why no row of the job is ours: names our destination and what the job's rows are about. */
    static String absent(URI fts, Job job, CatalogFile f, String destination) {
        List<String> theirs = job.files().stream().map(JobFile::destSurl).distinct().limit(3).toList();
        return "FTS3 " + fts + " job " + job.jobId() + " has no row for " + destination + " (" + f.compressedSize() + " bytes, adler32 "
                + f.compressedAdler32() + "); its rows are about " + (theirs.isEmpty() ? "nothing" : String.join(", ", theirs)
                + (job.files().size() > theirs.size() ? ", …" : "")) + ": the job is not this file's (another catalog's,"
                + " or another submission's); the file will be submitted again";
    }

    /**
     * Empty when the row is about exactly what we asked for: our destination, the compressed size (the size FTS measured,
     * else the one we sent) and the adler32 (FTS echoes the checksum we sent); else a message naming both.
     */
    static Optional<String> mismatch(URI fts, Job job, JobFile row, CatalogFile f, String destination) {
        Long size = row.filesize() != null ? row.filesize() : row.userFilesize();
        String sum = adler32Of(row.checksum());
        boolean same = destination.equals(row.destSurl()) && size != null && size.equals(f.compressedSize())
                && f.compressedAdler32() != null && f.compressedAdler32().equalsIgnoreCase(sum == null ? "" : sum);
        if (same) {
            return Optional.empty();
        }
        return Optional.of("FTS3 " + fts + " job " + job.jobId() + " reports " + row.fileState() + " for " + row.destSurl() + " with "
                + (size == null ? "no size" : size + " bytes") + " and checksum " + row.checksum() + ", but we asked for "
                + destination + " with " + f.compressedSize() + " bytes and ADLER32:" + f.compressedAdler32()
                + ": the row is about another file or other bytes, so it is no proof of this file on tape; the file will"
                + " be submitted again");
    }

    /** {@code "ADLER32:1a2b"} → {@code "00001a2b"}; null for another algorithm or no value. */
    private static String adler32Of(String checksum) {
        if (checksum == null) {
            return null;
        }
        int colon = checksum.indexOf(':');
        if (colon < 0 || !checksum.substring(0, colon).strip().equalsIgnoreCase("ADLER32")) {
            return null;
        }
        String v = checksum.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
        if (!v.matches("[0-9a-f]{1,8}")) {
            return null;
        }
        return "0".repeat(8 - v.length()) + v;
    }
}
