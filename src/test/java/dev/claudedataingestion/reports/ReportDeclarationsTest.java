package dev.claudedataingestion.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.warehouse.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The declarations against the table contract, and against the rows they make. */
class ReportDeclarationsTest {

    private static final LocalDate DAY = LocalDate.of(2026, 3, 8);
    /** The columns a writer fills, not a declaration's parser. */
    private static final List<String> LOAD_COLUMNS = List.of("organization_id", "ingestion_timestamp", "run_id");

    /** Every table, column, type, key and clustering, as the version before the declarations defined them. */
    @Test
    void theTableContractIsUnchanged() throws IOException {
        String contract = Tables.all().stream().sorted(Comparator.comparing(Table::name)).map(table ->
                table.name() + " key(" + String.join(", ", table.key()) + ")"
                        + (table.clustering().isEmpty() ? "" : " clustered by(" + String.join(", ", table.clustering())
                        + ")") + "\n" + table.columns().stream().map(c -> "  " + c.name() + " " + c.type() + "\n")
                        .collect(Collectors.joining())).collect(Collectors.joining());

        assertThat(contract).isEqualTo(Files.readString(Path.of("src/test/resources/table-contract.txt")));
    }

    @Test
    void everyFactTableIsReplacedByDayAndKeyedByOrganization() {
        for (ReportKind kind : ReportKind.values()) {
            Report report = Reports.of(kind);
            assertThat(report.id()).isEqualTo(kind.id());
            for (Table table : report.tables()) {
                assertThat(table.columnNames()).as(table.name()).startsWith("organization_id").contains("activity_date")
                        .endsWith("ingestion_timestamp", "run_id");
                assertThat(table.key()).as(table.name()).startsWith("organization_id");
                assertThat(table.columns().stream().filter(c -> c.role() == Column.Role.MEASURE))
                        .as(table.name()).isNotEmpty();
            }
            Table counted = report.tables().get(0);
            assertThat(report.headline().columns()).as(kind.id()).isNotEmpty().allSatisfy(column -> {
                Column measure = counted.columns().get(counted.indexOf(column));
                assertThat(measure.role()).isEqualTo(Column.Role.MEASURE);
                assertThat(measure.nullable()).as(column).isFalse();
            });
        }
    }

    @Test
    void aRowRefusesAColumnItsTableLacksAValueOfAnotherTypeAndAMissingRequiredValue() {
        Table table = CostReport.TABLE;
        assertThatThrownBy(() -> new Row(table).set("amount", 1L)).hasMessage("claude_costs has no column amount");
        assertThatThrownBy(() -> new Row(table).set("amount_cents", 1.5))
                .hasMessage("claude_costs.amount_cents is CENTS, not Double");
        assertThatThrownBy(() -> new Row(table).set("activity_date", "2026-03-08"))
                .hasMessage("claude_costs.activity_date is DATE, not String");
        assertThatThrownBy(() -> TestRows.cost(DAY, "a", "1").requireComplete())
                .hasMessage("claude_costs.organization_id may not be null");
    }

    @Test
    void aFullUsageResultFillsEveryColumnButTheWritersOnes() {
        Row row = TestRows.parse(UsageReport.DAILY, Instant.parse("2026-03-08T00:00:00Z"), """
                {"api_key_id": "k", "workspace_id": "w", "model": "m", "service_tier": "standard",
                 "context_window": "0-200k", "inference_geo": "us", "account_id": "a", "service_account_id": "s",
                 "uncached_input_tokens": 1, "cache_creation": {"ephemeral_5m_input_tokens": 2,
                 "ephemeral_1h_input_tokens": 3}, "cache_read_input_tokens": 4, "output_tokens": 5,
                 "server_tool_use": {"web_search_requests": 6}}""").get(0);

        assertFilledButForTheWriter(row);
        assertThat(row.key()).containsExactly(null, Instant.parse("2026-03-08T00:00:00Z"), "1d", "k", "w", "m",
                "standard", "0-200k", "us", "a", "s");
        assertThat(UsageReport.DAILY.headline().of(row)).isEqualByComparingTo("15");
        assertThat(row.int64("web_search_requests")).isEqualTo(6);
    }

    @Test
    void aFullCostLineFillsEveryColumnAndKeepsItsAmountExactInCentsAndDollars() {
        Row row = TestRows.parse(CostReport.INSTANCE, Instant.parse("2026-03-08T00:00:00Z"), """
                {"workspace_id": "w", "description": "d", "cost_type": "tokens", "model": "m",
                 "service_tier": "standard", "context_window": "0-200k", "token_type": "output_tokens",
                 "inference_geo": "us", "currency": "USD", "amount": "123.456789012345678901"}""").get(0);

        assertFilledButForTheWriter(row);
        assertThat(row.decimal("amount_cents")).isEqualByComparingTo("123.456789012345678901");
        assertThat(row.decimal("amount_usd")).isEqualByComparingTo("1.23456789012345678901");
        assertThat(row.key().subList(1, row.key().size())).containsExactly(DAY, "w", "d", "tokens", "m", "standard",
                "0-200k", "output_tokens", "us", "USD");
    }

    @Test
    void aClaudeCodeRecordMakesItsRowAndOneRowPerModelThatAddUp() {
        List<Row> rows = TestRows.claudeCode(DAY, """
                {"actor": {"type": "user_actor", "email_address": "a@example.com"}, "terminal_type": "vscode",
                 "is_remote": true, "customer_type": "api", "subscription_type": "max",
                 "core_metrics": {"num_sessions": 1, "lines_of_code": {"added": 2, "removed": 3},
                 "commits_by_claude_code": 4, "pull_requests_by_claude_code": 5},
                 "tool_actions": {"write_tool": {"accepted": 6, "rejected": 7}, "new_tool": {"accepted": 8}},
                 "model_breakdown": [
                   {"model": "m1", "tokens": {"input": 10, "output": 20, "cache_read": 30, "cache_creation": 40},
                    "estimated_cost": {"amount": 150, "currency": "USD"}},
                   {"model": "m2", "tokens": {"input": 1, "output": 2, "cache_read": 3, "cache_creation": 4},
                    "estimated_cost": {"amount": "0.5", "currency": "USD"}}]}""");

        assertThat(rows).extracting(Row::table).containsExactly(ClaudeCodeReport.TABLE, ClaudeCodeReport.MODELS_TABLE,
                ClaudeCodeReport.MODELS_TABLE);
        Row record = rows.get(0);
        assertThat(record.string("actor_api_key_name")).isNull();
        assertThat(record.int64("input_tokens")).isEqualTo(11);
        assertThat(record.int64("cache_creation_tokens")).isEqualTo(44);
        assertThat(record.decimal("estimated_cost_usd")).isEqualByComparingTo("1.505");
        assertThat(record.int64("write_tool_accepted")).isEqualTo(6);
        assertThat(record.int64("edit_tool_accepted")).isZero();
        assertThat(record.string("tool_actions")).isEqualTo("{\"new_tool\":{\"accepted\":8,\"rejected\":0},"
                + "\"write_tool\":{\"accepted\":6,\"rejected\":7}}");
        assertThat(rows.get(1).key().subList(1, 8)).containsExactly(DAY, "user_actor", "a@example.com", null,
                "vscode", true, "m1");
        assertThat(rows.get(2).decimal("estimated_cost_usd")).isEqualByComparingTo("0.005");
    }

    @Test
    void anAttributedRowNamesItsActorWhateverItsKind() {
        String usage = ", \"usage\": {\"uncached_input_tokens\": 1, \"output_tokens\": 2, \"total_tokens\": 3,"
                + " \"requests\": null}}";
        Instant day = Instant.parse("2026-03-08T00:00:00Z");
        List<List<String>> actors = new java.util.ArrayList<>();
        for (String actor : List.of(
                "{\"type\": \"user_actor\", \"user_id\": \"user_1\", \"email_address\": \"a@example.com\","
                        + " \"name\": \"A\", \"deleted\": true}",
                "{\"type\": \"service_account_actor\", \"service_account_id\": \"svcacct_1\"}",
                "{\"type\": \"federated_actor\", \"provider\": {\"type\": \"aws\"}, \"subject\": \"arn:x\"}",
                "{\"type\": \"api_actor\", \"api_key_id\": \"apikey_1\"}",
                "null")) {
            Row row = TestRows.parse(AnalyticsUsageReport.INSTANCE, day, "{\"group\": {\"actor\": " + actor
                    + ", \"api_key_id\": \"apikey_1\", \"organization_id\": \"org_child\"}" + usage).get(0);
            actors.add(java.util.Arrays.asList(row.string("actor_type"), row.string("actor_id"),
                    row.string("actor_email")));
            assertThat(row.string("child_organization_id")).isEqualTo("org_child");
            assertThat(row.get("requests")).isNull();
            assertThat(row.date("activity_date")).isEqualTo(DAY);
        }
        assertThat(actors).containsExactly(List.of("user_actor", "user_1", "a@example.com"),
                java.util.Arrays.asList("service_account_actor", "svcacct_1", null),
                java.util.Arrays.asList("federated_actor", "arn:x", null),
                java.util.Arrays.asList("api_actor", "apikey_1", null),
                java.util.Arrays.asList(null, null, null));
    }

    @Test
    void anAttributedCostRowKeepsBothAmountsExactAndRefusesOneThatIsNotANumber() {
        Instant day = Instant.parse("2026-03-08T00:00:00Z");
        Row row = TestRows.parse(AnalyticsCostReport.INSTANCE, day, "{\"group\": {\"cost_type\": \"tokens\","
                + " \"token_type\": \"output_tokens\"}, \"cost\": {\"amount\": \"80.000000001\","
                + " \"list_amount\": \"100.00000000125\", \"currency\": \"USD\", \"requests\": 4}}").get(0);
        assertThat(row.decimal("amount_cents")).isEqualByComparingTo("80.000000001");
        assertThat(row.decimal("list_amount_usd")).isEqualByComparingTo("1.0000000000125");
        assertThat(row.int64("requests")).isEqualTo(4);
        assertThat(row.string("token_type")).isEqualTo("output_tokens");
        assertThatThrownBy(() -> TestRows.parse(AnalyticsCostReport.INSTANCE, day, "{\"group\": {}, \"cost\":"
                + " {\"amount\": \"eighty\", \"list_amount\": \"1\"}}")).isInstanceOf(Json.InvalidResponse.class)
                .hasMessageContaining("not a number");
    }

    private static void assertFilledButForTheWriter(Row row) {
        for (Column column : row.table().columns()) {
            if (LOAD_COLUMNS.contains(column.name())) {
                assertThat(row.get(column.name())).as(column.name()).isNull();
            } else {
                assertThat(row.get(column.name())).as(column.name()).isNotNull();
            }
        }
    }
}
