package dev.claudedataingestion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.TestApi;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog prices each model as Anthropic publishes it (ADMIN-API.md, "Prices and newer facts"). */
class PriceTableTest {

    private static final PriceTable.Tokens MILLION_EACH = new PriceTable.Tokens(1_000_000, 1_000_000, 1_000_000,
            1_000_000, 1_000_000);
    private static final PriceTable.Tokens MILLION_INPUT = new PriceTable.Tokens(1_000_000, 0, 0, 0, 0);

    @TempDir
    Path directory;

    private static BigDecimal low(Optional<PriceTable.Estimate> estimate) {
        return estimate.orElseThrow().low();
    }

    @Test
    void pricesEveryKindOfTokenOfEachModelExactly() {
        PriceTable prices = PriceTable.builtIn();
        assertThat(prices.version()).isEqualTo("2026-12-03");
        assertThat(prices.source()).contains("Anthropic's published API prices");
        // What --help says the built-in catalog is.
        assertThat(PriceTable.BUILT_IN).startsWith(prices.version() + ", ");
        assertThat(prices.source()).startsWith(PriceTable.BUILT_IN.substring(prices.version().length() + 2));
        // Sonnet 4.5: $3 input, 3.75 and 6 for cache writes, 0.30 for cache reads, $15 output.
        assertThat(low(prices.estimate("claude-sonnet-4-5-20250929", "standard", "0-200k", null, MILLION_EACH)))
                .isEqualByComparingTo("28.05");
        assertThat(low(prices.estimate("claude-sonnet-4-5-20250929", "batch", "0-200k", null, MILLION_EACH)))
                .isEqualByComparingTo("14.025");
        // Long context: input-side doubled ($26.10), output one and a half times ($22.50).
        assertThat(low(prices.estimate("claude-sonnet-4-20250514", "standard", "200k-1M", null, MILLION_EACH)))
                .isEqualByComparingTo("48.60");
        // Opus 4.5 to 4.8 at a third of Opus 4.1's price, whatever their names share.
        assertThat(low(prices.estimate("claude-opus-4-8", null, null, null, MILLION_EACH))).isEqualByComparingTo("46.75");
        assertThat(low(prices.estimate("claude-opus-4-1-20250805", null, null, null, MILLION_EACH)))
                .isEqualByComparingTo("140.25");
        // Today's models, with cache reads that are not a tenth of input.
        assertThat(prices.listPrices("claude-opus-5-5")).hasValueSatisfying(p -> {
            assertThat(p.input()).isEqualByComparingTo("4");
            assertThat(p.cacheRead()).isEqualByComparingTo("0.20");
        });
        assertThat(prices.listPrices("claude-sonnet-5-5").orElseThrow().cacheRead()).isEqualByComparingTo("0.10");
        assertThat(prices.listPrices("claude-mythos-5-2").orElseThrow().input()).isEqualByComparingTo("8");
        // Retired models keep their last price.
        assertThat(prices.listPrices("claude-3-opus-20240229").orElseThrow().output()).isEqualByComparingTo("75");
    }

    @Test
    void usOnlyInferenceFastModeAndLongPromptsChangeThePrice() {
        PriceTable prices = PriceTable.builtIn();
        assertThat(low(prices.estimate("claude-opus-4-8", null, null, "us", MILLION_INPUT))).isEqualByComparingTo("5.5");
        assertThat(low(prices.estimate("claude-opus-4-8", null, null, "global", MILLION_INPUT))).isEqualByComparingTo("5");
        assertThat(low(prices.estimate("claude-opus-4-8", null, null, null, "fast", MILLION_INPUT)))
                .isEqualByComparingTo("30");
        // Haiku 5.5 costs five times as much above 100k prompt tokens, which daily usage does not tell: a range.
        PriceTable.Estimate haiku = prices.estimate("claude-haiku-5-5", null, null, null, MILLION_INPUT).orElseThrow();
        assertThat(haiku.isRange()).isTrue();
        assertThat(haiku.low()).isEqualByComparingTo("0.10");
        assertThat(haiku.high()).isEqualByComparingTo("0.5");
        assertThat(prices.estimate("claude-opus-4-8", null, null, null, MILLION_INPUT).orElseThrow().isRange()).isFalse();
        assertThat(prices.webSearchUsd(100)).isEqualByComparingTo("1");
    }

    @Test
    void modelsAreMatchedByExactIdWithOrWithoutTheirDateNeverByPrefix() {
        PriceTable prices = PriceTable.builtIn();
        assertThat(prices.catalogId("claude-opus-4-8")).contains("claude-opus-4-8");
        assertThat(prices.catalogId("claude-opus-4-1-20250805")).contains("claude-opus-4-1");
        assertThat(prices.catalogId("claude-opus-4-20250514")).contains("claude-opus-4-0");
        assertThat(prices.catalogId("claude-3-5-haiku-20241022")).contains("claude-3-5-haiku");
        assertThat(prices.catalogId("claude-opus-4-9")).isEmpty();
        assertThat(prices.catalogId("claude-opus-4")).isEmpty();
        assertThat(prices.catalogId("claude-opus-4-8-turbo")).isEmpty();
        assertThat(prices.catalogId(null)).isEmpty();
        assertThat(prices.estimate("claude-next-1", null, null, null, MILLION_INPUT)).isEmpty();
    }

    @Test
    void aCatalogFromAFileReplacesTheBuiltInOne() throws Exception {
        Path file = directory.resolve("prices.json");
        TestApi.catalog(file, "negotiated-2027", "our contract", """
                {"ids": ["claude-opus-4-8"], "input": "2", "output": "10", "cache_write_5m": "2.5",
                 "cache_write_1h": "4", "cache_read": "0.2"}""");
        PriceTable prices = PriceTable.fromFile(file);
        assertThat(prices.version()).isEqualTo("negotiated-2027");
        assertThat(prices.source()).isEqualTo("our contract");
        assertThat(prices.modelIds()).containsExactly("claude-opus-4-8");
        assertThat(low(prices.estimate("claude-opus-4-8", null, null, null, new PriceTable.Tokens(0, 0, 0, 0,
                1_000_000)))).isEqualByComparingTo("10");
        Files.writeString(file, "{\"version\": \"x\"}");
        assertThatThrownBy(() -> PriceTable.fromFile(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("batch_multiplier");
    }

    @Test
    void theViewsGetOnePricePerTokenForEveryModelTheCatalogPricesWithoutARange() {
        PriceTable prices = PriceTable.builtIn();
        List<PriceTable.TokenPrice> rows = prices.tokenPrices();

        assertThat(rows).contains(new PriceTable.TokenPrice("claude-opus-4-8", false, "output_tokens",
                new BigDecimal("0.000025")));
        assertThat(rows).filteredOn(row -> row.modelId().equals("claude-opus-4-8")).extracting(
                PriceTable.TokenPrice::tokenType).containsExactlyInAnyOrder("uncached_input_tokens", "output_tokens",
                        "cache_creation.ephemeral_5m_input_tokens", "cache_creation.ephemeral_1h_input_tokens",
                        "cache_read_input_tokens");
        // claude-sonnet-4-20250514 is claude-sonnet-4-0: the bare form matches dated ids only.
        assertThat(rows).contains(new PriceTable.TokenPrice("claude-sonnet-4", true, "cache_read_input_tokens",
                new BigDecimal("0.00000030")));
        // Haiku 5.5's price depends on each prompt's size: no one price per token.
        assertThat(rows).noneMatch(row -> row.modelId().equals("claude-haiku-5-5"));
        for (PriceTable.TokenPrice row : rows) {
            String model = row.datedOnly() ? row.modelId() + "-20250101" : row.modelId();
            assertThat(prices.catalogId(model)).as(model).isPresent();
        }
    }

    @Test
    void aModelIdThatIsNotAnIdIsRefused() throws Exception {
        Path file = directory.resolve("prices.json");
        TestApi.catalog(file, "v", "a test", """
                {"ids": ["claude' OR 1=1 --"], "input": "2", "output": "10", "cache_write_5m": "2.5",
                 "cache_write_1h": "4", "cache_read": "0.2"}""");
        assertThatThrownBy(() -> PriceTable.fromFile(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("names a model 'claude' OR 1=1 --'").hasMessageContaining("lower-case letters");
    }
}
