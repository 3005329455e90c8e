package dev.claudedataingestion.warehouse;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads SQL text as the warehouses would, past quoted strings and identifiers, comments and dollar-quoted bodies:
 * to count its statements, and to turn the named parameters ({@code @name}) of this program's reads into the
 * positional markers of JDBC.
 */
public final class SqlText {

    private SqlText() {
    }

    /** A statement with positional markers, and the parameter each stands for, in order. */
    public record Positional(String sql, List<String> parameters) {
    }

    /** How many statements {@code sql} holds: DuckDB's driver runs {@code SELECT 1; SELECT 2} whole. */
    public static int statements(String sql) {
        int[] statements = {0};
        boolean[] content = {false};
        scan(sql, new Visitor() {
            @Override
            public void quoted(int start, int end) {
                content[0] = true;
            }

            @Override
            public void character(int at) {
                char c = sql.charAt(at);
                if (c == ';') {
                    statements[0] += content[0] ? 1 : 0;
                    content[0] = false;
                } else if (!Character.isWhitespace(c)) {
                    content[0] = true;
                }
            }
        });
        return statements[0] + (content[0] ? 1 : 0);
    }

    /**
     * {@code sql} with each {@code @name} of {@code names} outside quotes and comments replaced by {@code ?}. Other
     * {@code @} signs (an operator, an e-mail address in a string) are left as they are.
     */
    public static Positional positional(String sql, Set<String> names) {
        StringBuilder text = new StringBuilder(sql.length());
        List<String> order = new ArrayList<>();
        int[] copied = {0};
        scan(sql, new Visitor() {
            @Override
            public void quoted(int start, int end) {
            }

            @Override
            public int marker(int at) {
                int end = at + 1;
                while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
                    end++;
                }
                String name = sql.substring(at + 1, end);
                if (!names.contains(name)) {
                    return at;
                }
                text.append(sql, copied[0], at).append('?');
                copied[0] = end;
                order.add(name);
                return end - 1;
            }

            @Override
            public void character(int at) {
            }
        });
        text.append(sql, copied[0], sql.length());
        return new Positional(text.toString(), order);
    }

    private interface Visitor {
        /** A quoted string or identifier, a comment or a dollar-quoted body from {@code start} to {@code end}. */
        void quoted(int start, int end);

        /** A character outside quotes and comments. */
        void character(int at);

        /** An {@code @} outside quotes and comments; returns the last position it took. */
        default int marker(int at) {
            character(at);
            return at;
        }
    }

    private static void scan(String sql, Visitor visitor) {
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            int start = i;
            if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < sql.length() && (sql.charAt(end) != c
                        || end + 1 < sql.length() && sql.charAt(end + 1) == c && end++ >= 0)) {
                    end++;
                }
                i = end;
                visitor.quoted(start, i);
            } else if (c == '-' && sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? sql.length() : end + 1;
            } else if (c == '$' && sql.startsWith("$$", i)) {
                int end = sql.indexOf("$$", i + 2);
                i = end < 0 ? sql.length() : end + 1;
                visitor.quoted(start, i);
            } else if (c == '@') {
                i = visitor.marker(i);
            } else {
                visitor.character(i);
            }
        }
    }
}
