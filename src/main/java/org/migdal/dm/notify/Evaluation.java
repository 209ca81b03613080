package org.migdal.dm.notify;

import java.util.List;
import java.util.Set;

/**
 * The conditions that hold now as judged on {@code host}, and the keys it cannot judge now (a DAQ disk not mounted
 * here). A condition this evaluation cannot judge — one of those, or another host's credential — is neither announced
 * nor cleared by it.
 */
public record Evaluation(List<Condition> holding, Set<String> undecided, String host) {
    public Evaluation {
        holding = List.copyOf(holding);
        undecided = Set.copyOf(undecided);
    }

    /** Whether this evaluation may clear {@code key}. */
    public boolean decides(String key) {
        if (undecided.contains(key)) {
            return false;
        }
        return !key.startsWith(Conditions.CREDENTIAL) || key.equals(Conditions.credentialKey(host));
    }

    /** Whether {@code key} holds in this evaluation. */
    public boolean holds(String key) {
        return holding.stream().anyMatch(k -> k.key().equals(key));
    }
}
