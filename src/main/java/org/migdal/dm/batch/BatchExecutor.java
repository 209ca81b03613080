package org.migdal.dm.batch;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Where compression jobs run. The local executor (default) is a thread pool on this host; a batch system
 * (HTCondor) comes behind the same interface.
 */
public interface BatchExecutor extends AutoCloseable {

    /** How many jobs can run at once: work is claimed only as fast as it can start, never queued under a claim. */
    int slots();

    /** Starts a job; the future completes with its result or its failure. */
    <T> CompletableFuture<T> submit(String name, Callable<T> job);

    @Override
    void close();
}
