package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * How the server sees this client ({@code GET /whoami}, reference §1): the DN (or token subject), the delegation id,
 * the VOs, the authentication method ({@code certificate} or {@code oauth2}) and the {@code base_id} from which
 * deterministic job ids are derived.
 */
public record WhoAmI(String userDn, List<String> dn, String baseId, List<String> vomsCred, List<String> vos,
                     List<String> vosId, String delegationId, String method, boolean isRoot) {
    public WhoAmI {
        dn = List.copyOf(dn);
        vomsCred = List.copyOf(vomsCred);
        vos = List.copyOf(vos);
        vosId = List.copyOf(vosId);
    }

    /** The VO the server assigns jobs to ({@code vos[0]}), used for deterministic ids; null if the server sent none. */
    public String primaryVo() {
        return vos.isEmpty() ? null : vos.get(0);
    }

    public boolean isCertificate() {
        return "certificate".equals(method);
    }

    static WhoAmI from(JsonNode n) {
        Boolean root = FtsJson.boolOrNull(n, "is_root");
        return new WhoAmI(FtsJson.text(n, "user_dn"), FtsJson.strings(n, "dn"), FtsJson.text(n, "base_id"),
                FtsJson.strings(n, "voms_cred"), FtsJson.strings(n, "vos"), FtsJson.strings(n, "vos_id"),
                FtsJson.text(n, "delegation_id"), FtsJson.text(n, "method"), root != null && root);
    }
}
