package org.migdal.dm.storage;

import java.util.Objects;

/**
 * What a storage endpoint says about the tape copy of one file, and how it knows ({@code evidence}, in words for the
 * catalog: {@code "archiveinfo locality TAPE at https://…"}, {@code "xroot stat BackUpExists at root://…"}).
 * Never derived from dCache's {@code NEARLINE}, {@code kXR_offline} or {@code sys.archive.file_id} (storage-servers.md §0
 * rule 5). An endpoint that cannot answer throws {@link StorageException} instead.
 */
public record TapeResidency(State state, String evidence) {

    public enum State {
        /** The endpoint reports a tape copy. */
        ON_TAPE,
        /** The endpoint can tell, and reports no tape copy (yet), or an error for this file. */
        NOT_ON_TAPE,
        /** The protocol has no way to tell ({@code file://}: a folder, no tape system behind it). */
        NO_INFORMATION,
        /** The endpoint could tell but does not offer it (https without a WLCG Tape REST API, none configured). */
        NOT_OFFERED
    }

    public TapeResidency {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(evidence, "evidence");
    }

    public static TapeResidency onTape(String evidence) {
        return new TapeResidency(State.ON_TAPE, evidence);
    }

    public static TapeResidency notOnTape(String evidence) {
        return new TapeResidency(State.NOT_ON_TAPE, evidence);
    }

    public static TapeResidency noInformation(String why) {
        return new TapeResidency(State.NO_INFORMATION, why);
    }

    public static TapeResidency notOffered(String why) {
        return new TapeResidency(State.NOT_OFFERED, why);
    }
}
