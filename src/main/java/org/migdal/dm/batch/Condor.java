package org.migdal.dm.batch;

import java.nio.file.Path;
import java.util.List;

/**
 * The HTCondor commands migdal-dm uses, run on the access point that hosts the schedd (the job event log is only
 * written there). {@link CondorCommands} runs the real command-line tools; tests may stand in for the pool.
 * Implementations are safe for concurrent use. Every method may block up to the implementation's timeout.
 */
public interface Condor {

    /** The attributes condor_q/condor_history are asked for (a projection keeps the schedd's work small). */
    List<String> ATTRIBUTES = List.of("ClusterId", "ProcId", "JobStatus", "MigdalJob", "JobBatchName", "QDate",
            "EnteredCurrentStatus", "HoldReason", "HoldReasonCode", "HoldReasonSubCode", "ExitCode", "ExitBySignal",
            "ExitSignal", "CompletionDate", "RemoveReason", "NumJobStarts");

    /** What a remove or release did. Only failures that leave the job's fate unknown are thrown. */
    enum Outcome {
        /** Marked for removal / released. */
        DONE,
        /** condor_rm: the job was already being removed. */
        ALREADY_REMOVING,
        /** condor_release: the job was not held (e.g. a periodic_release came first). */
        NOT_HELD,
        /** No such job or cluster (left the queue), or the queue is empty. */
        NOT_FOUND
    }

    /**
     * Submits {@code submitFile} as one cluster ({@code condor_submit -terse}, in the file's directory).
     * A {@link CondorException.Kind#SCHEDD_UNREACHABLE} timeout may or may not have queued the jobs: look for the
     * batch name with {@link #queueByBatchName} before submitting again.
     */
    ClusterRange submit(Path submitFile) throws CondorException;

    /** The jobs of {@code cluster} still in the queue (none when all have left). */
    List<JobAd> queue(long cluster) throws CondorException;

    /** The jobs of {@code cluster} in the history, scanning back only to jobs completed at {@code completedSinceEpoch}. */
    List<JobAd> history(long cluster, long completedSinceEpoch) throws CondorException;

    /** The queued jobs whose {@code JobBatchName} is exactly {@code batchName}. */
    List<JobAd> queueByBatchName(String batchName) throws CondorException;

    /** At most {@code limit} jobs of the history whose {@code JobBatchName} is exactly {@code batchName}, newest first. */
    List<JobAd> historyByBatchName(String batchName, int limit) throws CondorException;

    /** Removes one job; {@code reason} (nullable) becomes its {@code RemoveReason} and the 009 event's text. */
    Outcome remove(JobId id, String reason) throws CondorException;

    /** Removes every job of {@code cluster}. */
    Outcome removeCluster(long cluster, String reason) throws CondorException;

    /** Releases a held job. */
    Outcome release(JobId id) throws CondorException;
}
