package dev.claudeproxy;

/** Tool schemas from the security review, for the tests and the hostile load run alike. */
public final class HostileSchemas {

    private HostileSchemas() {
    }

    /**
     * Definitions without a cycle that still fan out: each of {@code levels} refers to the next from
     * {@code fanOut} properties, which inlined make fanOut^levels copies.
     */
    public static String fanOut(int levels, int fanOut) {
        StringBuilder defs = new StringBuilder();
        for (int level = 0; level < levels; level++) {
            defs.append(level == 0 ? "" : ",").append("\"D").append(level).append("\":{\"type\":\"object\",\"properties\":{");
            for (int p = 0; p < fanOut; p++) {
                defs.append(p == 0 ? "" : ",").append("\"p").append(p).append("\":")
                        .append(level == levels - 1 ? "{\"type\":\"string\"}" : "{\"$ref\":\"#/$defs/D" + (level + 1) + "\"}");
            }
            defs.append("}}");
        }
        return "{\"type\":\"object\",\"$defs\":{" + defs + "},\"properties\":{\"x\":{\"$ref\":\"#/$defs/D0\"}}}";
    }
}
