package dev.claudedataingestion.simulator;

import static dev.claudedataingestion.simulator.Parameters.decodeOffset;
import static dev.claudedataingestion.simulator.Parameters.first;
import static dev.claudedataingestion.simulator.Parameters.limit;
import static dev.claudedataingestion.simulator.Parameters.required;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/** The Claude Code report: one UTC day of records per request, paged by offset. */
final class ClaudeCodeEndpoint {

    private final SyntheticOrganization organization;
    private final IntConsumer checkSize;

    ClaudeCodeEndpoint(SyntheticOrganization organization, IntConsumer checkSize) {
        this.organization = organization;
        this.checkSize = checkSize;
    }

    /** A page of one day of {@code /v1/organizations/usage_report/claude_code}. */
    JsonBody report(Map<String, List<String>> query, Fault fault) {
        String dayText = required(query, "starting_at");
        LocalDate day;
        try {
            day = LocalDate.parse(dayText);
        } catch (DateTimeParseException e) {
            throw new ApiError(400, "invalid_request_error", "starting_at: Input should be a valid date (YYYY-MM-DD)");
        }
        int limit = limit(query, 20, 1000);
        String page = first(query, "page");
        int offset = page == null ? 0 : decodeOffset(page);
        List<SyntheticOrganization.ClaudeCodeRecord> all = organization.claudeCode(day);
        List<SyntheticOrganization.ClaudeCodeRecord> slice = all.subList(Math.min(offset, all.size()),
                Math.min(offset + limit, all.size()));
        boolean hasMore = offset + limit < all.size();
        checkSize.accept(slice.size());
        // The date has been seen in both shapes; alternate by day so that clients must accept both.
        String date = day.toEpochDay() % 2 == 0 ? day.toString() : day + "T00:00:00Z";
        return json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("data");
            for (SyntheticOrganization.ClaudeCodeRecord record : slice) {
                writeClaudeCode(json, record, date);
            }
            json.writeEndArray();
            boolean broken = fault != null && fault.kind() == Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE;
            json.writeBooleanField("has_more", hasMore || broken);
            if (hasMore && !broken) {
                json.writeStringField("next_page", "page_" + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(("offset:" + (offset + limit)).getBytes(StandardCharsets.UTF_8)));
            } else {
                json.writeNullField("next_page");
            }
            json.writeEndObject();
        };
    }

    /**
     * {@code /v1/organizations/analytics/usage} and {@code /cost} in daily buckets, as documented: the beta header,
     * {@code ending_at} with a bucket width, at most 31 days, nothing before 2026-01-01 or older than 365 days, at most
     * five group dimensions (cost and token type aside), {@code limit} rows a page (a cost row's fan-out by cost and
     * token type on the same page, not counted), cursors, and {@code data_refreshed_at}.
     */
    private void writeClaudeCode(JsonGenerator json, SyntheticOrganization.ClaudeCodeRecord record, String date)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("date", date);
        json.writeObjectFieldStart("actor");
        json.writeStringField("type", record.actorType());
        if (record.email() != null) {
            json.writeStringField("email_address", record.email());
        } else {
            json.writeStringField("api_key_name", record.apiKeyName());
        }
        json.writeEndObject();
        json.writeStringField("organization_id", organization.id());
        json.writeStringField("customer_type", record.customerType());
        json.writeStringField("subscription_type", record.subscriptionType());
        json.writeStringField("terminal_type", record.terminalType());
        json.writeBooleanField("is_remote", record.remote());
        json.writeObjectFieldStart("core_metrics");
        json.writeNumberField("num_sessions", record.sessions());
        json.writeObjectFieldStart("lines_of_code");
        json.writeNumberField("added", record.linesAdded());
        json.writeNumberField("removed", record.linesRemoved());
        json.writeEndObject();
        json.writeNumberField("commits_by_claude_code", record.commits());
        json.writeNumberField("pull_requests_by_claude_code", record.pullRequests());
        json.writeEndObject();
        json.writeObjectFieldStart("tool_actions");
        for (Map.Entry<String, long[]> tool : record.toolActions().entrySet()) {
            json.writeObjectFieldStart(tool.getKey());
            json.writeNumberField("accepted", tool.getValue()[0]);
            json.writeNumberField("rejected", tool.getValue()[1]);
            json.writeEndObject();
        }
        json.writeEndObject();
        json.writeArrayFieldStart("model_breakdown");
        for (SyntheticOrganization.ModelUsage model : record.models()) {
            json.writeStartObject();
            json.writeStringField("model", model.model());
            json.writeObjectFieldStart("tokens");
            json.writeNumberField("input", model.input());
            json.writeNumberField("output", model.output());
            json.writeNumberField("cache_read", model.cacheRead());
            json.writeNumberField("cache_creation", model.cacheCreation());
            json.writeEndObject();
            json.writeObjectFieldStart("estimated_cost");
            json.writeStringField("currency", "USD");
            json.writeNumberField("amount", model.estimatedCostCents());
            json.writeEndObject();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
