package org.migdal.dm.daq;

/** Something an operator has to look at: where (a file, a disk) and what is wrong. */
public record Problem(String where, String message) {
    @Override
    public String toString() {
        return where + ": " + message;
    }
}
