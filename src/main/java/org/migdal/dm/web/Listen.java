package org.migdal.dm.web;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Where the dashboard listens: {@code HOST:PORT} ({@code [v6]:PORT} for an IPv6 literal); port 0 takes a free one. */
public record Listen(String host, int port) {
    public static final String DEFAULT = "127.0.0.1:8080";

    public Listen {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0–65535");
        }
    }

    /** Parses {@code HOST:PORT}; a message naming the text when it is not one. */
    public static Listen parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (e.g. " + DEFAULT + ")");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new Listen(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the port is not a number (e.g. " + DEFAULT + ")");
        }
    }

    /** Whether only this machine can reach the address (127.0.0.0/8, ::1, localhost). */
    public boolean loopback() {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve the listen address '" + host + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
