package org.migdal.dm.catalog;

/**
 * The claim this process held on a file is gone (its lease ran out and another process took it
 * over, or an operator reset it). The caller must stop working on the file without side effects.
 */
public final class LostClaimException extends CatalogException {
    private static final long serialVersionUID = 1L;

    public LostClaimException(String lfn, String owner, FileState expected) {
        super("lost the claim on " + lfn + " (owner " + owner + ", expected state " + expected
                + "); another process or an operator changed it, so this attempt stops here");
    }
}
