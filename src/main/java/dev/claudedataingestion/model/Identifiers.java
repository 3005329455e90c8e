package dev.claudedataingestion.model;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** SQL identifiers are only ever written from this project's own names, and checked even so. */
public final class Identifiers {

    private static final Pattern SAFE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * Words BigQuery or PostgreSQL (whose grammar DuckDB follows) reserve: a column named so would need quoting in
     * every statement on one warehouse or another, and a fake of BigQuery would not notice.
     */
    private static final Set<String> RESERVED = Set.of(("all analyse analyze and any array as asc assert_rows_modified"
            + " asymmetric at between both by case cast check collate column constraint contains create cross cube"
            + " current current_catalog current_date current_role current_time current_timestamp current_user"
            + " default deferrable define desc distinct do else end enum escape except exclude exists extract false"
            + " fetch following for foreign from full grant group grouping groups hash having if ignore in initially"
            + " inner intersect interval into is join lateral leading left like limit localtime localtimestamp"
            + " lookup merge natural new no not null nulls of offset on only or order outer over partition placing"
            + " preceding primary proto qualify range recursive references respect returning right rollup rows"
            + " select session_user set some struct symmetric system_user table tablesample then to trailing treat"
            + " true unbounded union unique unnest user using variadic when where window with within").split(" "));

    private Identifiers() {
    }

    /** Returns {@code name} if it is a plain lower-case identifier and no reserved word, and throws otherwise. */
    public static String require(String name) {
        if (name == null || !SAFE.matcher(name).matches()) {
            throw new IllegalArgumentException("not a safe SQL identifier: " + name);
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException(name + " is a reserved word in BigQuery or PostgreSQL");
        }
        return name;
    }

    /** {@link #require}, but letters may be upper case too, as FOCUS names its columns ({@code BilledCost}). */
    public static String requireCased(String name) {
        require(name == null ? null : name.toLowerCase(Locale.ROOT));
        return name;
    }
}
