package dev.claudedataingestion.reports;

import static dev.claudedataingestion.model.ColumnType.BOOL;
import static dev.claudedataingestion.model.ColumnType.DATE;
import static dev.claudedataingestion.model.ColumnType.STRING;
import static dev.claudedataingestion.reports.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.util.List;

/**
 * The group of a Usage and Cost Analytics row: every documented group dimension is a nullable column, the actor
 * flattened into its type, its id (the user, service account, federated subject or API key) and its e-mail, and the
 * grouping the day was loaded with, so that days loaded with another grouping are told apart.
 */
final class AnalyticsGroup {

    private AnalyticsGroup() {
    }

    /** The grouped row's leading columns: the organization, the day, the grouping and every dimension. */
    static Table.Builder columns(Table.Builder table, List<String> extraDimensions) {
        table.key("organization_id", STRING).required()
                .key("activity_date", DATE).required()
                .key("grouped_by", STRING).required()
                .key("actor_type", STRING)
                .key("actor_id", STRING)
                .attribute("actor_email", STRING)
                .attribute("actor_name", STRING)
                .attribute("actor_deleted", BOOL)
                .attribute("actor_provider", STRING);
        for (String dimension : AnalyticsGrouping.PLAIN) {
            table.key(column(dimension), STRING);
        }
        for (String dimension : extraDimensions) {
            table.key(dimension, STRING);
        }
        return table;
    }

    /** Fills {@code row}'s group columns from the element's {@code group}. */
    static Row fill(Row row, JsonNode group, String grouping, List<String> extraDimensions) {
        row.set("grouped_by", grouping);
        JsonNode actor = group.path("actor");
        if (actor.isObject()) {
            String type = text(actor, "type");
            if (type == null) {
                throw new Json.InvalidResponse("an actor has no type");
            }
            row.set("actor_type", type).set("actor_id", switch (type) {
                case "user_actor" -> text(actor, "user_id");
                case "service_account_actor" -> text(actor, "service_account_id");
                case "federated_actor" -> text(actor, "subject");
                case "api_actor" -> text(actor, "api_key_id");
                default -> null;
            }).set("actor_email", text(actor, "email_address"))
                    .set("actor_name", text(actor, "name"))
                    .set("actor_deleted", deleted(actor))
                    .set("actor_provider", text(actor.path("provider"), "type"));
        } else if (!actor.isMissingNode() && !actor.isNull()) {
            throw new Json.InvalidResponse("actor is not an object");
        } else {
            row.set("actor_type", text(group, "actor_type"));
        }
        for (String dimension : AnalyticsGrouping.PLAIN) {
            row.set(column(dimension), text(group, dimension));
        }
        for (String dimension : extraDimensions) {
            row.set(dimension, text(group, dimension));
        }
        return row;
    }

    /** A user's {@code deleted}; null for the other kinds of actor, which have none. */
    private static Boolean deleted(JsonNode actor) {
        JsonNode deleted = actor.get("deleted");
        if (deleted == null || deleted.isNull()) {
            return null;
        }
        if (!deleted.isBoolean()) {
            throw new Json.InvalidResponse("an actor's deleted is not true or false");
        }
        return deleted.booleanValue();
    }

    /** A child organization's id: {@code organization_id} is the column of the organization whose key read it. */
    private static String column(String dimension) {
        return dimension.equals("organization_id") ? "child_organization_id" : dimension;
    }
}
