package dev.claudedataingestion.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.claudedataingestion.model.ClaudeCodeModelRow;
import dev.claudedataingestion.model.ClaudeCodeRow;
import dev.claudedataingestion.model.CostRow;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.FactRow;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.UsageRow;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Writes report rows as table rows, in the column order of {@link Tables}. One place knows how a report's
 * fields become columns, so every backend stores the same values.
 */
public final class FactRows {

    private static final JsonFactory JSON = new JsonFactory();

    private final String organizationId;
    private final Instant ingestionTimestamp;
    private final String runId;

    public FactRows(String organizationId, Instant ingestionTimestamp, String runId) {
        this.organizationId = organizationId;
        this.ingestionTimestamp = ingestionTimestamp;
        this.runId = runId;
    }

    /**
     * Writes the {@code table} values of every row of a replaced day range to {@code writer}, and the values of
     * the report's other tables to {@code discard}. A row outside {@code days} fails the write. When
     * {@code rowsPerDay} is given, counts the rows of each day into it, by index from the range's first day.
     */
    public void writeTable(RowStream<? extends FactRow> rows, ReportKind report, DayRange days, Table table,
            RowWriter writer, RowWriter discard, long[] rowsPerDay) {
        rows.forEach(row -> {
            LocalDate day = row.activityDate();
            if (!days.contains(day)) {
                throw new IllegalArgumentException("a " + report + " row for " + day
                        + " is outside the days being replaced, " + days);
            }
            if (rowsPerDay != null) {
                rowsPerDay[(int) ChronoUnit.DAYS.between(days.first(), day)]++;
            }
            write(row, t -> t == table ? writer : discard);
        });
    }

    /** Writes {@code row} to the writers of its tables; a Claude Code row also writes one row per model. */
    public void write(FactRow row, Function<Table, RowWriter> writers) {
        if (row instanceof UsageRow usage) {
            usage(usage, writers.apply("1h".equals(usage.bucketWidth()) ? Tables.USAGE_HOURLY : Tables.USAGE));
        } else if (row instanceof CostRow cost) {
            cost(cost, writers.apply(Tables.COSTS));
        } else if (row instanceof ClaudeCodeRow code) {
            claudeCode(code, writers.apply(Tables.CLAUDE_CODE));
            RowWriter models = writers.apply(Tables.CLAUDE_CODE_MODELS);
            for (ClaudeCodeModelRow model : code.models()) {
                claudeCodeModel(code, model, models);
            }
        } else {
            throw new IllegalArgumentException("no table for " + row.getClass().getSimpleName());
        }
    }

    private void usage(UsageRow row, RowWriter out) {
        out.string(organizationId);
        out.date(row.activityDate());
        out.timestamp(row.bucketStart());
        out.string(row.bucketWidth());
        out.string(row.apiKeyId());
        out.string(row.workspaceId());
        out.string(row.model());
        out.string(row.serviceTier());
        out.string(row.contextWindow());
        out.string(row.inferenceGeo());
        out.string(row.accountId());
        out.string(row.serviceAccountId());
        out.int64(row.uncachedInputTokens());
        out.int64(row.cacheCreation5mInputTokens());
        out.int64(row.cacheCreation1hInputTokens());
        out.int64(row.cacheReadInputTokens());
        out.int64(row.outputTokens());
        out.int64(row.webSearchRequests());
        end(out);
    }

    private void cost(CostRow row, RowWriter out) {
        out.string(organizationId);
        out.date(row.activityDate());
        out.string(row.workspaceId());
        out.string(row.description());
        out.string(row.costType());
        out.string(row.model());
        out.string(row.serviceTier());
        out.string(row.contextWindow());
        out.string(row.tokenType());
        out.string(row.inferenceGeo());
        out.string(row.currency());
        out.decimal(row.amountCents());
        out.decimal(row.amountUsd());
        end(out);
    }

    private void claudeCode(ClaudeCodeRow row, RowWriter out) {
        actor(row, out);
        out.string(row.customerType());
        out.string(row.subscriptionType());
        out.int64(row.numSessions());
        out.int64(row.linesAdded());
        out.int64(row.linesRemoved());
        out.int64(row.commits());
        out.int64(row.pullRequests());
        for (String tool : ClaudeCodeRow.KNOWN_TOOLS) {
            ClaudeCodeRow.ToolActions actions = row.tool(tool);
            out.int64(actions.accepted());
            out.int64(actions.rejected());
        }
        out.string(toolActionsJson(row.toolActions()));
        out.int64(row.inputTokens());
        out.int64(row.outputTokens());
        out.int64(row.cacheReadTokens());
        out.int64(row.cacheCreationTokens());
        out.decimal(row.estimatedCostUsd());
        end(out);
    }

    private void claudeCodeModel(ClaudeCodeRow row, ClaudeCodeModelRow model, RowWriter out) {
        actor(row, out);
        out.string(model.model());
        out.int64(model.inputTokens());
        out.int64(model.outputTokens());
        out.int64(model.cacheReadTokens());
        out.int64(model.cacheCreationTokens());
        out.decimal(model.estimatedCostUsd());
        end(out);
    }

    private void actor(ClaudeCodeRow row, RowWriter out) {
        out.string(organizationId);
        out.date(row.activityDate());
        out.string(row.actorType());
        out.string(row.actorEmail());
        out.string(row.actorApiKeyName());
        out.string(row.terminalType());
        out.bool(row.isRemote());
    }

    private void end(RowWriter out) {
        out.timestamp(ingestionTimestamp);
        out.string(runId);
        out.endRow();
    }

    /** The whole tool map, keys sorted, so that tools this version has no columns for are kept. */
    static String toolActionsJson(Map<String, ClaudeCodeRow.ToolActions> tools) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            for (Map.Entry<String, ClaudeCodeRow.ToolActions> tool : new TreeMap<>(tools).entrySet()) {
                json.writeObjectFieldStart(tool.getKey());
                json.writeNumberField("accepted", tool.getValue().accepted());
                json.writeNumberField("rejected", tool.getValue().rejected());
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
