package org.migdal.dm.storage;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code xrdfs} commands of one xroot endpoint ({@code stat}, {@code query checksum}, {@code mv}, {@code rm},
 * {@code mkdir}, {@code ls}), run over interactive sessions ({@link XrdfsSession}) that are kept between commands: a
 * command costs a round trip to the server, not a process launch and a new connection. A session is lent to one
 * caller at a time (concurrent callers get one each) and retired when it timed out, died, reported a {@code [FATAL]}
 * error (connection, authentication), or is older than {@link #MAX_AGE} (so credentials are read afresh). An argument
 * that cannot be quoted for the interactive line (it holds both {@code '} and {@code "}) is run as a one-shot
 * {@code xrdfs HOST args…} instead. Replies come back as {@link XrootdCommand.Result}s (rc 50 for {@code [ERROR]},
 * 51 for {@code [FATAL]}), so errors are classified as for the one-shot tool.
 */
final class Xrdfs implements AutoCloseable {
    static final Duration MAX_AGE = Duration.ofMinutes(10);

    private final String host;
    private final Function<List<String>, ProcessBuilder> builder;
    private final Duration timeout;
    private final Deque<XrdfsSession> idle = new ArrayDeque<>();
    private boolean closed;

    /**
     * @param host    {@code root://host:port} as xrdfs takes it
     * @param builder the process for an argument list (environment with credentials and timeouts); counts launches
     * @param timeout how long one command may take before its session is killed
     */
    Xrdfs(String host, Function<List<String>, ProcessBuilder> builder, Duration timeout) {
        this.host = host;
        this.builder = builder;
        this.timeout = timeout;
    }

    /** Runs {@code xrdfs HOST args…}; {@code timedOut} when it gave no answer within the timeout (then killed). */
    XrootdCommand.Result run(String... args) throws IOException {
        StringBuilder line = new StringBuilder();
        for (String a : args) {
            String q = XrdfsSession.quote(a);
            if (q == null) {
                return oneShot(args);
            }
            line.append(line.length() == 0 ? "" : " ").append(q);
        }
        XrdfsSession.Reply r = once(line.toString());
        if (r.ended() && !r.timedOut() && (!r.sent() || READ_ONLY.contains(args[0]))) {
            // the kept session had died (killed, or gone while idle): once more on a new one, if that cannot do harm
            r = once(line.toString());
        }
        return new XrootdCommand.Result(r.timedOut() ? -1 : r.rc(), r.text(), "", r.timedOut());
    }

    /** Commands that change nothing, so repeating one whose session died under it is harmless. */
    private static final java.util.Set<String> READ_ONLY = java.util.Set.of("stat", "query", "ls", "locate");

    private XrdfsSession.Reply once(String line) throws IOException {
        XrdfsSession s = borrow();
        XrdfsSession.Reply r = s.run(line, timeout.toMillis());
        if (r.timedOut() || r.rc() == 51 || r.ended()) {
            s.close();
        } else {
            giveBack(s);
        }
        return r;
    }

    private XrootdCommand.Result oneShot(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("xrdfs", host));
        argv.addAll(List.of(args));
        return XrootdCommand.run(builder.apply(argv), timeout, Integer.MAX_VALUE - 8);
    }

    private XrdfsSession borrow() throws IOException {
        synchronized (idle) {
            while (!idle.isEmpty()) {
                XrdfsSession s = idle.pollFirst();
                if (s.alive() && s.ageNanos() < MAX_AGE.toNanos()) {
                    return s;
                }
                s.close();
            }
        }
        return XrdfsSession.start(builder.apply(List.of("xrdfs", host)), timeout.toMillis());
    }

    private void giveBack(XrdfsSession s) {
        synchronized (idle) {
            if (!closed && idle.size() < 64) {
                idle.addFirst(s);
                return;
            }
        }
        s.close();
    }

    /** Ends every idle session; sessions lent out end when given back. */
    @Override
    public void close() {
        List<XrdfsSession> all;
        synchronized (idle) {
            closed = true;
            all = new ArrayList<>(idle);
            idle.clear();
        }
        all.forEach(XrdfsSession::close);
    }
}
