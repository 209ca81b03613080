package org.migdal.dm.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import org.migdal.dm.audit.Auditor;
import org.migdal.dm.audit.Kind;
import org.migdal.dm.catalog.AuditFinding;
import org.migdal.dm.catalog.AuditStore;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.Endpoints;
import org.migdal.dm.storage.StorageAuth;
import org.migdal.dm.storage.StorageEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code migdal-dm audit [--json] [--fix] [--rate N] [--resume] [--max-files N]}: the catalog against the DAQ disks, the
 * storage and the tape ({@link Auditor}). Exit 0 when complete and consistent, 1 with each discrepancy listed (or when
 * not complete: an endpoint that cannot be believed, or {@code --max-files} reached), 2 on a usage or configuration error.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Check the catalog against the DAQ disks, the storage and the tape: every copy the catalog vouches for"
                + " (size and adler32 as the endpoint reports them; tape residency where it can tell), and every file there that"
                + " the catalog does not know. One line per discrepancy and a summary (--json: a report).",
                "Exit 0: consistent; 1: discrepancies (listed), an endpoint that cannot be believed, or an audit not finished;"
                        + " 2: usage or configuration error."})
final class AuditCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--json", description = "print a JSON report (kinds, counts, items)")
    boolean json;

    @Option(names = "--fix", description = "also repair what is safe: register unknown DAQ data files, send back to be shipped a"
            + " file whose storage copy is missing while its DAQ copy has the recorded size and adler32, remove orphaned upload"
            + " temporaries by the janitor's rule. Nothing else, and never a data copy deleted")
    boolean fix;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "20",
            description = "checksum requests per second to the storage and tape (0: no limit; default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--resume", description = "continue the last audit where it stopped (its cursor is in the catalog)")
    boolean resume;

    @Option(names = "--max-files", paramLabel = "N", defaultValue = "0",
            description = "check at most N catalog files now, then stop (continue with --resume; 0: all)")
    long maxFiles;

    @Override
    public Integer call() throws Exception {
        if (rate < 0 || maxFiles < 0) {
            main.spec.commandLine().getErr().println("--rate and --max-files take a number ≥ 0");
            return Main.USAGE;
        }
        try (Context ctx = new Context(main.loadConfig())) {
            String storageDown = ctx.endpointRefusal(true, false).orElse(null);
            String tapeDown = ctx.endpointRefusal(false, true).orElse(null);
            Auditor.Settings settings = new Auditor.Settings(rate, fix, maxFiles, ctx.config.archive().requireTapeResidency()
                    ? CopyCheck.Residency.REQUIRED : CopyCheck.Residency.RECORDED,
                    Duration.ofHours(ctx.config.janitor().tempMaxAgeHours()));
            StorageEndpoint disk = endpoint(ctx::disk, ctx.config.storage().disk(), storageDown);
            StorageEndpoint tape = endpoint(ctx::tape, ctx.config.storage().tape(), tapeDown);
            Auditor.Result r = new Auditor(ctx.catalog(), ctx.config.daq(), disk, storageDown, tape, tapeDown, settings, ctx.clock)
                    .run(resume);
            PrintWriter out = main.spec.commandLine().getOut();
            if (json) {
                json(ctx.catalog().audit(), r, out);
            } else {
                text(ctx.catalog().audit(), r, out);
            }
            out.flush();
            return r.consistent() ? Main.OK : Main.FAILURE;
        }
    }

    /**
     * The configured endpoint; one that cannot even be opened (its credential refused: {@code down} says so) stands only for
     * its URL, without credentials, and is asked nothing.
     */
    private static StorageEndpoint endpoint(java.util.function.Supplier<StorageEndpoint> configured, String url, String down) {
        try {
            return configured.get();
        } catch (RuntimeException e) {
            if (down == null) {
                throw e;
            }
            return Endpoints.open(url, StorageAuth.none());
        }
    }

    private interface Each {
        void accept(AuditFinding f) throws Exception;
    }

    private static void each(AuditStore store, long runId, Each each) throws Exception {
        long after = 0;
        List<AuditFinding> page;
        do {
            page = store.findings(runId, after, 1000);
            for (AuditFinding f : page) {
                each.accept(f);
                after = f.id();
            }
        } while (page.size() == 1000);
    }

    private static void text(AuditStore store, Auditor.Result r, PrintWriter out) throws Exception {
        each(store, r.run().id(), f -> {
            boolean counts = Kind.valueOf(f.kind()).discrepancy();
            out.println(f.kind() + " " + f.subject() + (counts ? "" : " (not a discrepancy)") + ": expected " + f.expected()
                    + "; found " + f.found() + (f.url() != null && !f.url().equals(f.subject()) ? " [" + f.url() + "]" : "")
                    + (f.fixed() != null ? "; fixed: " + f.fixed() : f.todo() != null ? "; to do: " + f.todo() : ""));
        });
        r.notAudited().forEach(n -> out.println("not audited: " + n));
        StringBuilder s = new StringBuilder("audit " + r.run().id() + ": ");
        s.append(r.complete() ? "complete" : "NOT complete (continue with `migdal-dm audit --resume`)");
        s.append(", ").append(r.run().filesChecked()).append(" catalog file(s) checked, ").append(r.run().checksums())
                .append(" copy check(s); ");
        s.append(r.discrepancies() == 0 ? "no discrepancy" : r.discrepancies() + " discrepanc" + (r.discrepancies() == 1 ? "y" : "ies"));
        if (!r.counts().isEmpty()) {
            s.append(" (");
            s.append(String.join(", ", r.counts().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
            s.append(")");
        }
        if (r.registered() + r.reshipped() + r.temporariesRemoved() > 0) {
            s.append("; fixed: ").append(r.registered()).append(" DAQ file(s) registered, ").append(r.reshipped())
                    .append(" file(s) sent back to be shipped, ").append(r.temporariesRemoved()).append(" orphaned temporar")
                    .append(r.temporariesRemoved() == 1 ? "y" : "ies").append(" removed");
        }
        s.append(r.consistent() ? "; consistent" : "");
        out.println(s);
    }

    private static void json(AuditStore store, Auditor.Result r, PrintWriter out) throws Exception {
        try (JsonGenerator g = JsonOutput.mapper().getFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("audit", r.run().id());
            g.writeBooleanField("complete", r.complete());
            g.writeBooleanField("consistent", r.consistent());
            g.writeNumberField("filesChecked", r.run().filesChecked());
            g.writeNumberField("copyChecks", r.run().checksums());
            g.writeNumberField("discrepancies", r.discrepancies());
            g.writeObjectFieldStart("counts");
            for (Map.Entry<String, Long> e : r.counts().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("fixed");
            g.writeNumberField("registered", r.registered());
            g.writeNumberField("reshipped", r.reshipped());
            g.writeNumberField("temporariesRemoved", r.temporariesRemoved());
            g.writeEndObject();
            g.writeArrayFieldStart("notAudited");
            for (String n : r.notAudited()) {
                g.writeString(n);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("items");
            each(store, r.run().id(), f -> {
                g.writeStartObject();
                g.writeStringField("kind", f.kind());
                g.writeBooleanField("discrepancy", Kind.valueOf(f.kind()).discrepancy());
                g.writeStringField("subject", f.subject());
                g.writeStringField("url", f.url());
                g.writeStringField("expected", f.expected());
                g.writeStringField("found", f.found());
                if (f.fileId() != null) {
                    g.writeNumberField("fileId", f.fileId());
                }
                g.writeStringField("todo", f.todo());
                g.writeStringField("fixed", f.fixed());
                g.writeEndObject();
            });
            g.writeEndArray();
            g.writeEndObject();
        }
        out.println();
    }
}
