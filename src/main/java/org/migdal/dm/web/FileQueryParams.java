package org.migdal.dm.web;

import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The parameters of {@code /files} and {@code /api/files}: {@code state}, {@code disk}, {@code run}, {@code q} (LFN
 * substring), {@code after} (the last id of the previous page), {@code limit} (1–1000, default 50), {@code sort}
 * ({@code id} or {@code -id}). Anything else, or a bad value, is a {@link BadRequest} naming it.
 */
record FileQueryParams(FileFilter filter) {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;
    private static final List<String> KNOWN = List.of("state", "disk", "run", "q", "after", "limit", "sort");

    /** {@code param}: the query parameter's value, or null when absent; {@code names}: every parameter given. */
    static FileQueryParams parse(Function<String, String> param, Iterable<String> names) {
        for (String n : names) {
            if (!KNOWN.contains(n)) {
                throw new BadRequest("unknown parameter '" + n + "'; known: " + String.join(", ", KNOWN));
            }
        }
        FileState state = null;
        String s = blankToNull(param.apply("state"));
        if (s != null) {
            try {
                state = FileState.valueOf(s.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("unknown state '" + s + "'; one of " + java.util.Arrays.toString(FileState.values()));
            }
        }
        long after = 0;
        String a = blankToNull(param.apply("after"));
        if (a != null) {
            try {
                after = Long.parseLong(a);
            } catch (NumberFormatException e) {
                throw new BadRequest("after: '" + a + "' is not a file id (a whole number)");
            }
            if (after < 0) {
                throw new BadRequest("after: " + after + " must not be negative");
            }
        }
        int limit = DEFAULT_LIMIT;
        String l = blankToNull(param.apply("limit"));
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                throw new BadRequest("limit: '" + l + "' is not a number in 1.." + MAX_LIMIT);
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new BadRequest("limit: " + limit + " is out of range 1.." + MAX_LIMIT);
            }
        }
        String sort = blankToNull(param.apply("sort"));
        if (sort != null && !sort.equals("id") && !sort.equals("-id")) {
            throw new BadRequest("sort: '" + sort + "' is not one of id, -id");
        }
        return new FileQueryParams(new FileFilter(state, blankToNull(param.apply("disk")), blankToNull(param.apply("run")),
                blankToNull(param.apply("q")), 0, limit, after, "-id".equals(sort)));
    }

    /** This query's page after {@code after} (0: the first page), as a {@code /files} link. */
    String link(long after) {
        return "/files" + query(after);
    }

    String apiLink() {
        return "/api/files" + query(filter.afterId());
    }

    private String query(long after) {
        Map<String, String> p = new LinkedHashMap<>();
        if (filter.lfnLike() != null) {
            p.put("q", filter.lfnLike());
        }
        if (filter.run() != null) {
            p.put("run", filter.run());
        }
        if (filter.disk() != null) {
            p.put("disk", filter.disk());
        }
        if (filter.state() != null) {
            p.put("state", filter.state().name());
        }
        if (filter.descending()) {
            p.put("sort", "-id");
        }
        if (filter.limit() != DEFAULT_LIMIT) {
            p.put("limit", String.valueOf(filter.limit()));
        }
        if (after > 0) {
            p.put("after", String.valueOf(after));
        }
        StringBuilder sb = new StringBuilder();
        p.forEach((k, v) -> sb.append(sb.length() == 0 ? "?" : "&").append(k).append('=').append(Html.url(v)));
        return sb.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
