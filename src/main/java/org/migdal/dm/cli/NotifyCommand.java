package org.migdal.dm.cli;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.notify.Notifier;
import org.migdal.dm.notify.NotifyState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code migdal-dm notify [--dry-run] [--test]}: evaluates the notification conditions now and sends what is due (the
 * cycles do the same at their end, {@link #afterCycle}); {@code --dry-run} prints what would be sent; {@code --test}
 * sends a test message to each channel.
 */
@Command(name = "notify", mixinStandardHelpOptions = true,
        description = "Evaluate the notification conditions now and send what is due by e-mail / webhook (notify: in the"
                + " configuration); --dry-run prints what would be sent, --test sends a test message to each channel.")
final class NotifyCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(NotifyCommand.class);

    @ParentCommand
    Main main;

    @Option(names = "--dry-run", description = "print what would be sent; send and record nothing")
    boolean dryRun;

    @Option(names = "--test", description = "send a test message to each channel; exit 1 naming a channel that fails")
    boolean test;

    @Override
    public Integer call() {
        try (Context ctx = new Context(main.loadConfig())) {
            PrintWriter out = main.spec.commandLine().getOut();
            PrintWriter err = main.spec.commandLine().getErr();
            if (!ctx.config.notifications().enabled()) {
                err.println("no notification channel is configured (notify.smtp, notify.webhook; see config/migdal-dm.example.yaml)");
                return Main.USAGE;
            }
            Notifier notifier = notifier(ctx);
            if (dryRun) {
                notifier.dryRun(ctx.overviews().now()).forEach(out::println);
                return Main.OK;
            }
            List<Notifier.Outcome> outcomes = test ? notifier.test() : notifier.round(ctx.overviews().now());
            boolean failed = false;
            for (Notifier.Outcome o : outcomes) {
                if (o.failed()) {
                    err.println(o.channel() + ": FAILED: " + o.error());
                    failed = true;
                } else {
                    out.println(o.channel() + ": " + (test ? "test message sent" : o.sent() + " event(s) sent"
                            + (o.held() > 0 ? ", " + o.held() + " held back by notify.minIntervalMinutes" : "")));
                }
            }
            return failed ? Main.FAILURE : Main.OK;
        }
    }

    static Notifier notifier(Context ctx) {
        return new Notifier(new NotifyState(ctx.catalog()), Notifier.channels(ctx.config.notifications()),
                Duration.ofMinutes(ctx.config.notifications().minIntervalMinutes()), ClaimPolicy.hostName(),
                ctx.catalog().owner(), ctx.clock);
    }

    /** The end of every cycle: one notification round when a channel is configured; a failure only warns. */
    static void afterCycle(Context ctx) {
        if (!ctx.config.notifications().enabled()) {
            return;
        }
        try {
            notifier(ctx).round(ctx.overviews().now());
        } catch (RuntimeException e) {
            log.warn("notifications not evaluated this cycle: {}", e.getMessage());
        }
    }
}
