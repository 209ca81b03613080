package org.migdal.dm.notify;

import java.util.List;
import java.util.Set;

/**
 * The conditions that hold now, and the keys this process cannot judge now (a DAQ disk not mounted here): such a
 * condition is neither announced nor cleared by this evaluation.
 */
public record Evaluation(List<Condition> holding, Set<String> undecided) {
    public Evaluation {
        holding = List.copyOf(holding);
        undecided = Set.copyOf(undecided);
    }
}
