package org.migdal.dm.cli;

import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.compress.JobResult;
import org.migdal.dm.compress.JobRunner;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.storage.StorageEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code migdal-dm job run JOBFILE}: runs one compression job, as a worker node of the batch system does. Needs no
 * configuration file and never opens the catalog: everything is in the job file, the proxy comes as
 * {@code X509_USER_PROXY}, scratch space is {@code _CONDOR_SCRATCH_DIR} (else the system's temporary folder). The JSON
 * result goes to standard output (logs to standard error). Exit 0: done; 1: the job failed (the result says why);
 * 2: no job could be read (no result).
 */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Run batch jobs (on a worker node).",
        subcommands = JobCommand.Run.class)
final class JobCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        main.spec.commandLine().getSubcommands().get("job").usage(main.spec.commandLine().getOut());
        return Main.USAGE;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run one compression job: read the raw copy from the storage, compress, verify by decompressing,"
                    + " upload to a temporary name and confirm it; print the JSON result. Never writes the catalog.")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        JobCommand parent;

        @Parameters(paramLabel = "JOBFILE", description = "the job description (JSON) written by the submit host")
        Path jobFile;

        @Override
        public Integer call() {
            PrintWriter out = parent.main.spec.commandLine().getOut();
            PrintWriter err = parent.main.spec.commandLine().getErr();
            CompressionJob job;
            try {
                job = CompressionJob.fromJson(Files.readString(jobFile));
            } catch (IOException | RuntimeException e) {
                err.println("migdal-dm job run: cannot read the job file " + jobFile.toAbsolutePath() + ": " + e.getMessage());
                return Main.USAGE;
            }
            Map<String, String> env = System.getenv();
            Path scratch = Path.of(env.getOrDefault("_CONDOR_SCRATCH_DIR", System.getProperty("java.io.tmpdir")));
            JobRunner runner = new JobRunner(JobRunner.thisHost());
            JobResult result;
            Path work = scratch.resolve("migdal-dm-" + job.job());
            try (Context ctx = new Context(workerConfig(job))) {
                StorageEndpoint disk = null;
                String refusal = null;
                try {
                    disk = ctx.disk();
                } catch (RuntimeException e) {
                    refusal = e.getMessage();
                }
                result = disk == null
                        ? runner.refused(job, JobResult.Problem.CREDENTIAL, job.storage(), "cannot open the storage " + job.storage()
                                + " on this worker: " + refusal)
                        : runner.run(job, disk, work);
            }
            deleteEmpty(work);
            out.println(result.json());
            out.flush();
            if (!result.ok()) {
                err.println("migdal-dm job run: job " + job.job() + " (" + job.lfn() + ") failed: " + result.problem().message());
            }
            return result.ok() ? Main.OK : Main.FAILURE;
        }

        /** The configuration a worker needs: the disk storage (also as the unused tape) and the credential policy. */
        static MigdalConfig workerConfig(CompressionJob job) {
            MigdalConfig.Storage storage = new MigdalConfig.Storage(job.storage(), job.storage(), job.storageAuth(), job.storageAuth(),
                    null);
            MigdalConfig.Credentials credentials = new MigdalConfig.Credentials(null, job.certDir(), job.systemTrust(),
                    job.requiredFqan(), null, null);
            return new MigdalConfig(null, null, storage, null, null, null, null, credentials, null, null, null, null, null, null);
        }

        private static void deleteEmpty(Path dir) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                System.err.println("cannot remove " + dir + ": " + e.getMessage());
            }
        }
    }
}
