package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answer to {@code GET /}: the REST API, delegation API, core and schema versions (reference §1). Version parts
 * are kept as strings because {@code core} sends strings or {@code null}.
 */
public record Probe(Version api, Version delegation, Version core, Version schema) {

    /** {@code major.minor.patch}; a part is null when the server did not send it. */
    public record Version(String major, String minor, String patch) {
        static Version from(JsonNode n) {
            if (n == null || n.isNull() || !n.isObject()) {
                return new Version(null, null, null);
            }
            return new Version(FtsJson.text(n, "major"), FtsJson.text(n, "minor"), FtsJson.text(n, "patch"));
        }

        /** The major version as a number, or -1 when absent or not numeric. */
        public int majorNumber() {
            try {
                return major == null ? -1 : Integer.parseInt(major);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        public String toString() {
            return (major == null ? "?" : major) + "." + (minor == null ? "?" : minor) + "." + (patch == null ? "?" : patch);
        }
    }

    static Probe from(JsonNode n) {
        return new Probe(Version.from(n.get("api")), Version.from(n.get("delegation")), Version.from(n.get("core")),
                Version.from(n.get("schema")));
    }
}
