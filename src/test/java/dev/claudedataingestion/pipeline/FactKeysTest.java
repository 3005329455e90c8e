package dev.claudedataingestion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.model.ClaudeCodeRow;
import dev.claudedataingestion.model.CostRow;
import dev.claudedataingestion.model.UsageRow;
import dev.claudedataingestion.sink.Tables;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A fact row's identity, which the spool refuses to see twice, and its table's key, which {@code check} counts
 * duplicates by, name the same fields in the same order (the table adds the organization).
 */
class FactKeysTest {

    private static final LocalDate DAY = LocalDate.of(2026, 3, 8);

    @Test
    void rowsAndTablesNameTheSameIdentity() {
        UsageRow usage = new UsageRow(Instant.parse("2026-03-08T00:00:00Z"), "1d", "k", "w", "m", "standard",
                "0-200k", "us", "a", "s", 1, 2, 3, 4, 5, 6);
        assertThat(usage.key()).containsExactly(usage.bucketStart(), "1d", "k", "w", "m", "standard", "0-200k", "us",
                "a", "s");
        assertThat(Tables.USAGE.key()).containsExactly("organization_id", "bucket_start", "bucket_width", "api_key_id",
                "workspace_id", "model", "service_tier", "context_window", "inference_geo", "account_id",
                "service_account_id");

        CostRow cost = new CostRow(DAY, "w", "d", "tokens", "m", "standard", "0-200k", "output_tokens", "us", "USD",
                BigDecimal.ONE);
        assertThat(cost.key()).containsExactly(DAY, "w", "d", "tokens", "m", "standard", "0-200k", "output_tokens",
                "us", "USD");
        assertThat(Tables.COSTS.key()).containsExactly("organization_id", "activity_date", "workspace_id",
                "description", "cost_type", "model", "service_tier", "context_window", "token_type", "inference_geo",
                "currency");

        ClaudeCodeRow code = new ClaudeCodeRow(DAY, "user_actor", "a@example.com", null, "vscode", false, "api",
                "max", 1, 2, 3, 4, 5, Map.of(), List.of());
        assertThat(code.key()).containsExactly(DAY, "user_actor", "a@example.com", null, "vscode", false, "api", "max");
        assertThat(Tables.CLAUDE_CODE.key()).containsExactly("organization_id", "activity_date", "actor_type",
                "actor_email", "actor_api_key_name", "terminal_type", "is_remote", "customer_type", "subscription_type");
    }
}
