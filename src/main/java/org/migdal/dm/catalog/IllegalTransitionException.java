package org.migdal.dm.catalog;

/** A state change that the state machine in {@link FileState} does not allow. */
public final class IllegalTransitionException extends CatalogException {
    private static final long serialVersionUID = 1L;

    public IllegalTransitionException(String lfn, FileState from, FileState to) {
        super("illegal state change " + from + " → " + to + " for " + lfn);
    }
}
