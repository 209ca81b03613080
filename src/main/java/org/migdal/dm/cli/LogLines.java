package org.migdal.dm.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.JsonEscapeUtil;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The two shapes of a log event, each exactly one line whatever the message holds: {@link Text} (time, level, logger,
 * message, then the exception) with line breaks and other control characters written as {@code \n}, {@code \t},
 * {@code \x1b}…; {@link Json}, one JSON object per line with {@code time}, {@code level}, {@code logger},
 * {@code message} and, when there is one, {@code exception} (the whole stack trace as one string).
 */
final class LogLines {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    private LogLines() {
    }

    /**
     * {@code s} with every control character escaped ({@code \n}, {@code \r}, {@code \t}, {@code \xNN}), so that it stays
     * on one line. Backslashes are left as they are, so a name shows as the scan problems show it (the JSON format is the
     * one that tells a backslash from an escape).
     */
    static String oneLine(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                    : c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085'
                    ? (c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c)) : null;
            if (esc != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (esc != null) {
                    b.append(esc);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** The last part of a logger's name ({@code org.migdal.dm.cli.Cycle} → {@code Cycle}). */
    static String shortName(String logger) {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    private static String exception(IThrowableProxy t) {
        return ThrowableProxyUtil.asString(t).stripTrailing();
    }

    /** {@code 2026-12-01T15:41:10.123Z INFO  Cycle: message; exception: java.io.IOException: …\n\tat …} on one line. */
    static final class Text extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent e) {
            StringBuilder b = new StringBuilder(128);
            b.append(TIME.format(Instant.ofEpochMilli(e.getTimeStamp()))).append(' ');
            String level = e.getLevel().toString();
            b.append(level).append(" ".repeat(Math.max(0, 5 - level.length()))).append(' ');
            b.append(shortName(e.getLoggerName())).append(": ").append(oneLine(e.getFormattedMessage()));
            if (e.getThrowableProxy() != null) {
                b.append(" | exception: ").append(oneLine(exception(e.getThrowableProxy())));
            }
            return b.append(CoreConstants.LINE_SEPARATOR).toString();
        }
    }

    /** {@code {"time":"…","level":"INFO","logger":"org.migdal.dm.cli.Cycle","message":"…","exception":"…"}} on one line. */
    static final class Json extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent e) {
            StringBuilder b = new StringBuilder(160);
            b.append("{\"time\":\"").append(TIME.format(Instant.ofEpochMilli(e.getTimeStamp())));
            b.append("\",\"level\":\"").append(e.getLevel());
            b.append("\",\"logger\":\"").append(JsonEscapeUtil.jsonEscapeString(e.getLoggerName()));
            b.append("\",\"message\":\"").append(json(e.getFormattedMessage())).append('"');
            if (e.getThrowableProxy() != null) {
                b.append(",\"exception\":\"").append(json(exception(e.getThrowableProxy()))).append('"');
            }
            return b.append('}').append(CoreConstants.LINE_SEPARATOR).toString();
        }

        /** JSON string escaping, plus the two line separators JSON allows raw but some readers split on. */
        private static String json(String s) {
            return s == null ? "" : JsonEscapeUtil.jsonEscapeString(s).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
        }
    }
}
