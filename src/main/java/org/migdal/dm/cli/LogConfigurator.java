package org.migdal.dm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The logging set-up, in code rather than a logback.xml that Joran would parse at every start: one line per event on
 * stderr (stdout stays for results and JSON), {@code org.migdal} at {@code MIGDAL_LOG_LEVEL} (system property or
 * environment, default INFO; {@code -q}/{@code -v} change it afterwards), everything else at WARN. Found by logback through
 * {@code META-INF/services}. A {@code -Dlogback.configurationFile=…} still wins: then this steps aside.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} %-5level %logger{0}: %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext lc) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayout layout = new PatternLayout();
        layout.setContext(lc);
        layout.setPattern(PATTERN);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(lc);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(lc);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        lc.getLogger("org.migdal").setLevel(Level.toLevel(level(), Level.INFO));
        lc.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        lc.getLogger("org.flywaydb").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static String level() {
        String p = System.getProperty("MIGDAL_LOG_LEVEL");
        return p != null ? p : System.getenv("MIGDAL_LOG_LEVEL");
    }
}
