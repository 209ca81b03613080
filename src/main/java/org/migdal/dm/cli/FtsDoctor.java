package org.migdal.dm.cli;

import org.migdal.dm.fts.DelegationInfo;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.FtsException;
import org.migdal.dm.fts.WhoAmI;
import org.migdal.dm.security.CredentialCheck;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code doctor}'s checks of the FTS3 server, when {@code archive.mover: fts} uses one: is it reachable and does it
 * know us ({@code GET /whoami}), and is the proxy delegated to it still good (its time left against the renewal
 * threshold the grid cycle delegates again under, {@link DelegationInfo#needsRenewal}). Only reads: nothing is delegated.
 */
final class FtsDoctor {
    private FtsDoctor() {
    }

    static List<DoctorCommand.Check> checks(Context ctx) {
        if (!"fts".equals(ctx.config.archive().mover())) {
            return List.of();
        }
        String url = ctx.config.fts().url();
        List<DoctorCommand.Check> checks = new ArrayList<>();
        FtsClient client;
        WhoAmI who;
        try {
            client = ctx.fts();
            who = client.whoami();
        } catch (FtsException | RuntimeException e) {
            checks.add(check(CredentialCheck.Level.FAIL, "fts server", "FTS3 " + url + " not usable: " + e.getMessage()
                    + "; tape transfers wait until it answers"));
            return checks;
        }
        checks.add(check(CredentialCheck.Level.OK, "fts server", "FTS3 " + url + " reachable; it knows us as " + who.userDn()
                + " (" + who.method() + (who.primaryVo() == null ? "" : ", VO " + who.primaryVo()) + ")"));
        checks.add(delegation(ctx, client, who));
        return checks;
    }

    private static DoctorCommand.Check delegation(Context ctx, FtsClient client, WhoAmI who) {
        if (client.isTokenMode()) {
            return check(CredentialCheck.Level.WARN, "fts delegation", "token authentication: nothing is delegated, and FTS3"
                    + " refuses tape jobs without a delegated X509 proxy (fts.auth: x509)");
        }
        if (who.delegationId() == null) {
            return check(CredentialCheck.Level.FAIL, "fts delegation", "FTS3 " + client.settings().endpoint()
                    + " gave no delegation id in /whoami");
        }
        Duration renewBelow = client.settings().renewBelow();
        Optional<DelegationInfo> info;
        try {
            info = client.delegationInfo(who.delegationId());
        } catch (FtsException e) {
            return check(CredentialCheck.Level.FAIL, "fts delegation", e.getMessage());
        }
        Instant now = ctx.clock.instant();
        String id = "delegation " + who.delegationId();
        if (info.isEmpty()) {
            return check(CredentialCheck.Level.WARN, "fts delegation", id + ": no proxy delegated yet; the next grid cycle delegates one");
        }
        Duration left = info.get().remaining(now);
        if (left.isNegative() || left.isZero()) {
            return check(CredentialCheck.Level.WARN, "fts delegation", id + ": the delegated proxy expired at "
                    + info.get().terminationTime() + "; the next grid cycle delegates again (jobs meanwhile get 419)");
        }
        if (info.get().needsRenewal(now, renewBelow)) {
            return check(CredentialCheck.Level.WARN, "fts delegation", id + ": " + hours(left) + " left, under the renewal"
                    + " threshold of " + hours(renewBelow) + "; the next grid cycle delegates again");
        }
        return check(CredentialCheck.Level.OK, "fts delegation", id + ": valid until " + info.get().terminationTime() + " ("
                + hours(left) + " left; delegated again under " + hours(renewBelow) + ")");
    }

    private static String hours(Duration d) {
        return String.format(Locale.ROOT, "%.1f h", d.toMinutes() / 60.0);
    }

    private static DoctorCommand.Check check(CredentialCheck.Level level, String name, String detail) {
        return new DoctorCommand.Check(name, level, detail);
    }
}
