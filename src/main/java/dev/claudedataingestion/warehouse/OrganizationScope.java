package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.model.Identifiers;
import dev.claudedataingestion.model.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement of {@code query --organization}: every table and view of the contract is, for that statement, only the
 * rows of one organization. Each unqualified name is shadowed by a common table expression of the same name that
 * reads the real table (a non-recursive one does not see itself) filtered by a bound parameter, so the statement's
 * text is never changed and no value is written into SQL.
 */
public final class OrganizationScope {

    /** Leading blanks and comments, then {@code WITH} and perhaps {@code RECURSIVE}. */
    private static final Pattern LEADING_WITH = Pattern.compile(
            "^(?:\\s+|--[^\\n]*(?:\\n|$)|/\\*.*?\\*/)*(WITH)\\s+(RECURSIVE\\s+)?", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private OrganizationScope() {
    }

    /** The names shadowed, the tables and views that name an organization, each with the column that does. */
    private static Map<String, String> names(SqlDialect sql, ViewCatalog views) {
        Map<String, String> names = new LinkedHashMap<>();
        for (Table table : Tables.all()) {
            if (table.columnNames().contains("organization_id")) {
                names.put(table.name(), "organization_id");
            }
        }
        views.views(sql).forEach(view -> names.put(view.name(), view.organizationColumn()));
        return names;
    }

    /** The parameter the shadows read the organization from. */
    public static final String PARAMETER = "organization_id";

    /** {@code statement}, each of {@link #names} shadowed, reading the organization from {@code @organization_id}. */
    public static String apply(String statement, SqlDialect sql, ViewCatalog views) {
        String parameter = "@" + PARAMETER;
        List<String> shadows = new ArrayList<>();
        names(sql, views).forEach((name, organization) -> {
            // name AS (SELECT * FROM dataset.name WHERE organization_id = ?)
            shadows.add(Identifiers.require(name) + " AS (SELECT * FROM " + sql.table(name)
                    + " WHERE " + organization + " = " + parameter + ")");
        });
        Matcher with = LEADING_WITH.matcher(statement);
        if (with.find()) {
            // The statement's own WITH list follows ours: WITH [RECURSIVE] ours…, theirs… SELECT …
            return statement.substring(0, with.start(1)) + "WITH " + (with.group(2) == null ? "" : "RECURSIVE ")
                    + String.join(", ", shadows) + ", " + statement.substring(with.end());
        }
        return "WITH " + String.join(", ", shadows) + "\n" + statement;
    }
}
