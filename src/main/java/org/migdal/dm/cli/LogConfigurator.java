package org.migdal.dm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.migdal.dm.config.ConfigException;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The logging set-up, in code rather than a logback.xml that Joran would parse at every start: one line per event on
 * stderr (stdout stays for results and JSON), {@code org.migdal} at {@code MIGDAL_LOG_LEVEL} (system property or
 * environment, default INFO; {@code -q}/{@code -v} change it afterwards), everything else at WARN. Found by logback through
 * {@code META-INF/services}. A {@code -Dlogback.configurationFile=…} still wins: then this steps aside, and so does
 * {@link #apply}. The shape of a line ({@code text} or {@code json}) and an optional file the log is also appended to
 * are set by {@link #apply} once the command line and the configuration are read.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String STDERR = "STDERR";
    static final String FILE = "FILE";

    @Override
    public ExecutionStatus configure(LoggerContext lc) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr(lc, new LogLines.Text()));
        lc.getLogger("org.migdal").setLevel(Level.toLevel(level(), Level.INFO));
        lc.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        lc.getLogger("org.flywaydb").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Puts the log in {@code format} ({@code text} or {@code json}) on stderr and, when {@code file} is not null, also
     * appends it to that file (created with its folder if missing). Replaces what an earlier call set; levels are kept.
     * A file that cannot be opened is a configuration error naming it.
     */
    static void apply(String format, Path file) {
        if (System.getProperty("logback.configurationFile") != null
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext lc)) {
            return;
        }
        Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
        if (file == null && root.getAppender(FILE) == null && root.getAppender(STDERR) instanceof ConsoleAppender<ILoggingEvent> c
                && c.getEncoder() instanceof LayoutWrappingEncoder<ILoggingEvent> e
                && e.getLayout().getClass() == layout(format).getClass()) {
            return; // already so: a command's start does not pay for new appenders
        }
        List<Appender<ILoggingEvent>> old = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            if (a.getName() != null && (a.getName().equals(STDERR) || a.getName().equals(FILE))) {
                old.add(a);
            }
        }
        OutputStreamAppender<ILoggingEvent> toFile = null;
        if (file != null) {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setContext(lc);
            f.setName(FILE);
            f.setFile(file.toAbsolutePath().toString());
            f.setAppend(true);
            f.setPrudent(false);
            f.setEncoder(encoder(lc, layout(format)));
            f.start();
            if (!f.isStarted()) {
                throw new ConfigException("log file " + file.toAbsolutePath() + " cannot be opened for appending");
            }
            toFile = f;
        }
        for (Appender<ILoggingEvent> a : old) {
            root.detachAppender(a);
            a.stop();
        }
        root.addAppender(stderr(lc, layout(format)));
        if (toFile != null) {
            root.addAppender(toFile);
        }
    }

    private static Layout<ILoggingEvent> layout(String format) {
        return switch (format == null ? "text" : format) {
            case "text" -> new LogLines.Text();
            case "json" -> new LogLines.Json();
            default -> throw new ConfigException("log format '" + format + "' is not one of text, json");
        };
    }

    /** The stderr appender: a log line never lands on the line of a progress bar being shown ({@link Progress#aroundLogLine}). */
    static final class Stderr extends ConsoleAppender<ILoggingEvent> {
        @Override
        protected void subAppend(ILoggingEvent event) {
            if (getContext() != null && getContext().getObject(Progress.LOG_CONTEXT_KEY) instanceof Progress bar) {
                bar.aroundLogLine(() -> super.subAppend(event));
            } else {
                super.subAppend(event);
            }
        }
    }

    private static ConsoleAppender<ILoggingEvent> stderr(LoggerContext lc, Layout<ILoggingEvent> layout) {
        ConsoleAppender<ILoggingEvent> stderr = new Stderr();
        stderr.setContext(lc);
        stderr.setName(STDERR);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder(lc, layout));
        stderr.start();
        return stderr;
    }

    private static LayoutWrappingEncoder<ILoggingEvent> encoder(LoggerContext lc, Layout<ILoggingEvent> layout) {
        layout.setContext(lc);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(lc);
        encoder.setLayout(layout);
        encoder.setCharset(java.nio.charset.StandardCharsets.UTF_8);
        encoder.start();
        return encoder;
    }

    /** Puts the level of our loggers back to the default ({@code MIGDAL_LOG_LEVEL}, else INFO), before -q or -v apply. */
    static void resetLevel() {
        if (System.getProperty("logback.configurationFile") == null && LoggerFactory.getILoggerFactory() instanceof LoggerContext lc) {
            lc.getLogger("org.migdal").setLevel(Level.toLevel(level(), Level.INFO));
        }
    }

    private static String level() {
        String p = System.getProperty("MIGDAL_LOG_LEVEL");
        return p != null ? p : System.getenv("MIGDAL_LOG_LEVEL");
    }
}
