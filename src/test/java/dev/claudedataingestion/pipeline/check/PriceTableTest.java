package dev.claudedataingestion.pipeline.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {

    private static final PriceTable.Tokens MILLION_EACH = new PriceTable.Tokens(1_000_000, 1_000_000, 1_000_000,
            1_000_000, 1_000_000);

    @TempDir
    Path directory;

    @Test
    void pricesEveryKindOfTokenExactly() {
        PriceTable prices = PriceTable.builtIn();
        assertThat(prices.version()).isEqualTo("2026-11-01");
        // Sonnet: $3 input, 3.75 and 6 for cache writes, 0.30 for cache reads, $15 output.
        assertThat(prices.estimateUsd("claude-sonnet-4-5-20250929", "standard", "0-200k", MILLION_EACH))
                .hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("28.05"));
        assertThat(prices.estimateUsd("claude-sonnet-4-5-20250929", "batch", "0-200k", MILLION_EACH))
                .hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("14.025"));
        // Long context: input-side doubled ($26.10), output one and a half times ($22.50).
        assertThat(prices.estimateUsd("claude-sonnet-4-20250514", "standard", "200k-1M", MILLION_EACH))
                .hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("48.60"));
    }

    @Test
    void theLongestPrefixWinsAndUnknownModelsHaveNoPrice() {
        PriceTable prices = PriceTable.builtIn();
        PriceTable.Tokens input = new PriceTable.Tokens(1_000_000, 0, 0, 0, 0);
        assertThat(prices.estimateUsd("claude-3-5-haiku-20241022", null, null, input))
                .hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("0.8"));
        assertThat(prices.estimateUsd("claude-haiku-4-5-20251001", null, null, input))
                .hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("1"));
        assertThat(prices.estimateUsd("claude-next-1", null, null, input)).isEmpty();
        assertThat(prices.estimateUsd(null, null, null, input)).isEmpty();
    }

    @Test
    void aTableFromAFileReplacesTheBuiltInOne() throws Exception {
        Path file = directory.resolve("prices.json");
        Files.writeString(file, """
                {"version": "negotiated-2027", "batch_multiplier": "0.5",
                 "long_context": {"input_multiplier": "2", "output_multiplier": "1.5"},
                 "cache_write_5m_multiplier": "1.25", "cache_write_1h_multiplier": "2", "cache_read_multiplier": "0.1",
                 "models": [{"prefix": "claude-", "input": "2", "output": "10"}]}
                """);
        PriceTable prices = PriceTable.fromFile(file);
        assertThat(prices.version()).isEqualTo("negotiated-2027");
        assertThat(prices.estimateUsd("claude-anything", null, null, new PriceTable.Tokens(0, 0, 0, 0, 1_000_000)))
                .hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("10"));
        Files.writeString(file, "{\"version\": \"x\"}");
        assertThatThrownBy(() -> PriceTable.fromFile(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("batch_multiplier");
    }
}
