package dev.claudedataingestion.analysis.privacy;

import dev.claudedataingestion.reports.AnalyticsCostReport;
import dev.claudedataingestion.reports.AnalyticsUsageReport;
import dev.claudedataingestion.reports.ClaudeCodeReport;
import dev.claudedataingestion.warehouse.Erasure;
import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.Tables;
import java.util.List;

/**
 * Erasing people from days older than the retention period ({@code PERSONAL_DATA_RETENTION_DAYS}), the same on
 * every warehouse. In the Claude Code tables an e-mail address becomes {@code erased-N}, N distinct per address and
 * day, so that rows stay distinct by their key and the two tables still join; nothing links one day's N to
 * another's. In the users' history, versions that ended by the cutoff ({@code valid_to} is exclusive) lose e-mail
 * and name; current ones keep them. The model table goes first: its mapping is read from the usage table, whose
 * addresses (a superset: every model row belongs to a usage row) change last, so that a run stopped in between
 * finishes the same way next time. The attributed tables key their rows by the actor's id, so their e-mail
 * addresses and names just become null, and so do the actors' ended versions. Claude Code's own telemetry loses
 * its e-mail addresses and any prompt or response text kept; a record that names no organization is erased with
 * every organization's.
 */
public final class PersonalData {

    private PersonalData() {
    }

    /** The statements, in the order they must run, taking {@code @organization_id} and {@code @before}. */
    public static final Erasure ERASURE = PersonalData::erasure;

    private static List<String> erasure(SqlDialect sql) {
        String usage = sql.table(ClaudeCodeReport.TABLE.name());
        String mapping = "(SELECT organization_id, activity_date, actor_email, CONCAT('erased-', "
                + sql.text("DENSE_RANK() OVER (PARTITION BY activity_date ORDER BY actor_email)") + ") AS pseudonym"
                + " FROM " + usage + " WHERE organization_id = @" + Erasure.ORGANIZATION + " AND activity_date < @"
                + Erasure.BEFORE
                + " AND actor_email IS NOT NULL AND actor_email NOT LIKE 'erased-%') m";
        String claudeCode = "UPDATE {table} t SET actor_email = m.pseudonym FROM " + mapping
                + " WHERE t.organization_id = m.organization_id AND t.activity_date = m.activity_date"
                + " AND t.actor_email = m.actor_email";
        String attributed = "UPDATE {table} SET actor_email = NULL, actor_name = NULL WHERE organization_id = @"
                + Erasure.ORGANIZATION + " AND activity_date < @" + Erasure.BEFORE
                + " AND (actor_email IS NOT NULL OR actor_name IS NOT NULL)";
        String history = "UPDATE {table} SET email = NULL, name = NULL WHERE organization_id = @" + Erasure.ORGANIZATION
                + " AND valid_to <= @" + Erasure.BEFORE + " AND (email IS NOT NULL OR name IS NOT NULL)";
        String telemetry = "UPDATE {table} SET user_email = NULL{more} WHERE (organization_id = @" + Erasure.ORGANIZATION
                + " OR organization_id IS NULL) AND activity_date < @" + Erasure.BEFORE + " AND (user_email IS NOT NULL"
                + "{more_check})";
        return List.of(
                telemetry.replace("{table}", sql.table(Tables.CLAUDE_CODE_EVENTS.name())).replace("{more}",
                        ", prompt = NULL").replace("{more_check}", " OR prompt IS NOT NULL"),
                telemetry.replace("{table}", sql.table(Tables.CLAUDE_CODE_METRICS.name())).replace("{more}", "")
                        .replace("{more_check}", ""),
                claudeCode.replace("{table}", sql.table(ClaudeCodeReport.MODELS_TABLE.name())),
                claudeCode.replace("{table}", usage),
                attributed.replace("{table}", sql.table(AnalyticsUsageReport.TABLE.name())),
                attributed.replace("{table}", sql.table(AnalyticsCostReport.TABLE.name())),
                history.replace("{table}", sql.table(Tables.USERS.name())),
                history.replace("{table}", sql.table(Tables.ACTORS.name())));
    }
}
