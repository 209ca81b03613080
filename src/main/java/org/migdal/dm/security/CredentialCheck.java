package org.migdal.dm.security;

/** The verdict of the credential policy on one credential: OK, WARN (usable, act soon) or FAIL (refused). */
public record CredentialCheck(Level level, String summary) {
    public enum Level { OK, WARN, FAIL }
}
