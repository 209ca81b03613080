package org.migdal.dm.batch;

/** ClassAd literals for constraints (reference §3.4, §5): the one place strings are quoted for HTCondor's expression language. */
public final class ClassAds {
    private ClassAds() {
    }

    /**
     * {@code s} as a ClassAd string literal: in double quotes, with {@code \} and {@code "} backslash-escaped.
     *
     * @throws IllegalArgumentException if {@code s} holds a control character (a newline cannot be passed safely)
     */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("a ClassAd string may not hold control characters: '" + s.replace("\n", "\\n") + "'");
            }
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** {@code attr =?= "value"}: case-sensitive, and false (not UNDEFINED) for jobs that lack the attribute. */
    public static String isExactly(String attribute, String value) {
        if (!attribute.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw new IllegalArgumentException("not a ClassAd attribute name: '" + attribute + "'");
        }
        return attribute + " =?= " + quote(value);
    }
}
