package org.migdal.dm.archive;

/** How work on one file ended. */
enum Outcome { DONE, FAILED, QUARANTINED }
