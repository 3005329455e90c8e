package dev.claudedataingestion.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Anthropic charges per model, per million tokens of each kind, to price usage where no bill says it: a
 * catalog keyed by exact model id ({@code claude-opus-4-8}; a first-party id with its date,
 * {@code claude-opus-4-1-20250805}, is the same model), never by a prefix that would swallow a newer model. Batch,
 * the 1M context window, US-only inference and fast mode change the price as Anthropic says; a model whose price
 * depends on what daily usage does not tell (Haiku 5.5 above 100k prompt tokens) is priced as a range. Versioned:
 * the built-in catalog ({@code prices.json}) names its source; {@code --prices FILE} replaces it with one in the
 * same form when prices change or an organization has its own.
 */
public final class PriceTable {

    /** The built-in catalog's version and source, for the command line's help (a test holds it to the file). */
    public static final String BUILT_IN = "2026-12-03, Anthropic's published API prices per model";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    /** A first-party id's date: {@code claude-opus-4-1-20250805}. */
    private static final Pattern DATED = Pattern.compile("(.+)-(\\d{8})");
    /** What a model id may be: the warehouse's views name the catalog's ids as SQL text. */
    private static final Pattern MODEL_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    /** Dollars per million tokens of each kind. */
    public record Prices(BigDecimal input, BigDecimal output, BigDecimal cacheWrite5m, BigDecimal cacheWrite1h,
            BigDecimal cacheRead) {

        Prices times(BigDecimal inputSide, BigDecimal outputSide) {
            return new Prices(input.multiply(inputSide), output.multiply(outputSide), cacheWrite5m.multiply(inputSide),
                    cacheWrite1h.multiply(inputSide), cacheRead.multiply(inputSide));
        }

        /** What {@code tokens} cost at these prices, in dollars. */
        BigDecimal of(Tokens tokens) {
            return input.multiply(BigDecimal.valueOf(tokens.uncachedInput()))
                    .add(cacheWrite5m.multiply(BigDecimal.valueOf(tokens.cacheWrite5m())))
                    .add(cacheWrite1h.multiply(BigDecimal.valueOf(tokens.cacheWrite1h())))
                    .add(cacheRead.multiply(BigDecimal.valueOf(tokens.cacheRead())))
                    .add(output.multiply(BigDecimal.valueOf(tokens.output())))
                    .divide(MILLION);
        }
    }

    /** One catalog entry: its prices, and where a long prompt costs more, those. */
    private record Model(String id, Prices prices, Optional<Prices> longPrompt) {
    }

    /** The tokens of one usage group, by kind. */
    public record Tokens(long uncachedInput, long cacheWrite5m, long cacheWrite1h, long cacheRead, long output) {
    }

    /**
     * What usage cost at list price, in dollars: one figure, or a range where the price depends on what daily usage
     * does not tell ({@code low} every prompt below a model's long-prompt threshold, {@code high} every one above).
     */
    public record Estimate(BigDecimal low, BigDecimal high) {

        public boolean isRange() {
            return low.compareTo(high) != 0;
        }

        public Estimate plus(Estimate other) {
            return new Estimate(low.add(other.low), high.add(other.high));
        }

        public static final Estimate ZERO = new Estimate(BigDecimal.ZERO, BigDecimal.ZERO);
    }

    private final String version;
    private final String source;
    private final Map<String, Model> models = new LinkedHashMap<>();
    private final BigDecimal batch;
    private final BigDecimal usOnly;
    private final BigDecimal longContextInput;
    private final BigDecimal longContextOutput;
    private final BigDecimal webSearch;
    private final Prices fast;

    private PriceTable(JsonNode table, String source) {
        try {
            version = required(table, "version", source).asText();
            this.source = table.path("source").asText(source);
            batch = decimal(table, "batch_multiplier", source);
            usOnly = decimal(table, "us_only_multiplier", source);
            longContextInput = decimal(table.path("long_context"), "input_multiplier", source);
            longContextOutput = decimal(table.path("long_context"), "output_multiplier", source);
            webSearch = decimal(table, "web_search_per_request", source);
            fast = prices(required(table, "fast", source), source);
            for (JsonNode model : required(table, "models", source)) {
                Prices prices = prices(model, source);
                JsonNode longPrompt = model.path("long_prompt");
                for (JsonNode id : required(model, "ids", source)) {
                    if (!MODEL_ID.matcher(id.asText()).matches()) {
                        throw new ConfigException("price table " + source + " names a model '" + id.asText()
                                + "': a model id is lower-case letters, digits, '.', '-' and '_'");
                    }
                    Model entry = new Model(id.asText(), prices, longPrompt.isObject()
                            ? Optional.of(prices(longPrompt, source)) : Optional.empty());
                    if (models.put(entry.id(), entry) != null) {
                        throw new ConfigException("price table " + source + " prices " + entry.id() + " twice");
                    }
                }
            }
        } catch (NumberFormatException e) {
            throw new ConfigException("price table " + source + " has a price that is not a number: " + e.getMessage());
        }
    }

    private static Prices prices(JsonNode node, String source) {
        return new Prices(decimal(node, "input", source), decimal(node, "output", source),
                decimal(node, "cache_write_5m", source), decimal(node, "cache_write_1h", source),
                decimal(node, "cache_read", source));
    }

    /** The catalog this version ships, read once. */
    public static PriceTable builtIn() {
        return BuiltIn.TABLE;
    }

    /** Holds the built-in catalog, read when first asked for. */
    private static final class BuiltIn {
        static final PriceTable TABLE = read();

        private static PriceTable read() {
            try (InputStream in = PriceTable.class.getResourceAsStream("/dev/claudedataingestion/prices.json")) {
                return new PriceTable(JSON.readTree(in), "prices.json");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A catalog from a file in the same form as the built-in one. */
    public static PriceTable fromFile(Path file) {
        try {
            return new PriceTable(JSON.readTree(Files.readString(file)), file.toString());
        } catch (IOException e) {
            throw new ConfigException("--prices " + file + " cannot be read as a price table (" + e.getMessage() + ")");
        }
    }

    public String version() {
        return version;
    }

    /** Where the prices come from, as the catalog says. */
    public String source() {
        return source;
    }

    /** The catalog's model ids, in its order. */
    public List<String> modelIds() {
        return List.copyOf(models.keySet());
    }

    /**
     * The catalog id of {@code model}: itself, or without the date a first-party id carries
     * ({@code claude-opus-4-1-20250805}, {@code claude-sonnet-4-20250514} for {@code claude-sonnet-4-0}); empty when
     * the catalog has no price for it.
     */
    public Optional<String> catalogId(String model) {
        if (model == null) {
            return Optional.empty();
        }
        if (models.containsKey(model)) {
            return Optional.of(model);
        }
        Matcher dated = DATED.matcher(model);
        if (dated.matches()) {
            String bare = dated.group(1);
            if (models.containsKey(bare)) {
                return Optional.of(bare);
            }
            if (models.containsKey(bare + "-0")) {
                return Optional.of(bare + "-0");
            }
        }
        return Optional.empty();
    }

    /**
     * One price of the catalog as a view joins it: dollars per token of {@code tokenType} (the cost report's names) at
     * the standard tier, for a model id that is {@code modelId} or, when {@code datedOnly}, only that id with a date.
     */
    public record TokenPrice(String modelId, boolean datedOnly, String tokenType, BigDecimal usdPerToken) {
    }

    /** How the tier, the context window and the inference region change a standard price. */
    public record Multipliers(BigDecimal batch, BigDecimal longContextInput, BigDecimal longContextOutput,
            BigDecimal usOnly, BigDecimal webSearchPerRequest) {
    }

    public Multipliers multipliers() {
        return new Multipliers(batch, longContextInput, longContextOutput, usOnly, webSearch);
    }

    /**
     * Every model's price per token of each kind, matched as {@link #catalogId} matches: by exact id, by a dated id,
     * and a dated {@code claude-sonnet-4-20250514} as {@code claude-sonnet-4-0}. A model whose price depends on the
     * prompt's size has no one price per token and is left out.
     */
    public List<TokenPrice> tokenPrices() {
        List<TokenPrice> prices = new ArrayList<>();
        for (Model model : models.values()) {
            if (model.longPrompt().isPresent()) {
                continue;
            }
            addTokenPrices(prices, model.id(), false, model.prices());
            String bare = model.id().substring(0, model.id().length() - 2);
            if (model.id().endsWith("-0") && !models.containsKey(bare)) {
                addTokenPrices(prices, bare, true, model.prices());
            }
        }
        return prices;
    }

    private static void addTokenPrices(List<TokenPrice> prices, String id, boolean datedOnly, Prices perMillion) {
        Map<String, BigDecimal> byType = Map.of("uncached_input_tokens", perMillion.input(), "output_tokens",
                perMillion.output(), "cache_creation.ephemeral_5m_input_tokens", perMillion.cacheWrite5m(),
                "cache_creation.ephemeral_1h_input_tokens", perMillion.cacheWrite1h(), "cache_read_input_tokens",
                perMillion.cacheRead());
        byType.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(price -> prices.add(
                new TokenPrice(id, datedOnly, price.getKey(), price.getValue().movePointLeft(6))));
    }

    /** Whether the catalog prices {@code model}. */
    public boolean isPriced(String model) {
        return catalogId(model).isPresent();
    }

    /** The prices per million tokens of {@code model}'s every token kind, at the standard tier, or empty. */
    public Optional<Prices> listPrices(String model) {
        return catalogId(model).map(id -> models.get(id).prices());
    }

    /**
     * What {@code tokens} of {@code model} cost at list price, or empty when the catalog has no price for it. Batch
     * halves the price, the 200k-1M context window raises it, US-only inference ({@code inferenceGeo} {@code us})
     * costs 1.1 times as much, and fast mode ({@code speed} {@code fast}) has prices of its own.
     */
    public Optional<Estimate> estimate(String model, String serviceTier, String contextWindow, String inferenceGeo,
            String speed, Tokens tokens) {
        return catalogId(model).map(models::get).map(entry -> {
            BigDecimal low = adjusted("fast".equals(speed) ? fast : entry.prices(), serviceTier, contextWindow,
                    inferenceGeo).of(tokens);
            BigDecimal high = "fast".equals(speed) || entry.longPrompt().isEmpty() ? low : adjusted(
                    entry.longPrompt().get(), serviceTier, contextWindow, inferenceGeo).of(tokens);
            return new Estimate(low, high);
        });
    }

    /** {@link #estimate} at standard speed. */
    public Optional<Estimate> estimate(String model, String serviceTier, String contextWindow, String inferenceGeo,
            Tokens tokens) {
        return estimate(model, serviceTier, contextWindow, inferenceGeo, null, tokens);
    }

    /** What {@code requests} web searches cost. */
    public BigDecimal webSearchUsd(long requests) {
        return webSearch.multiply(BigDecimal.valueOf(requests));
    }

    private Prices adjusted(Prices prices, String serviceTier, String contextWindow, String inferenceGeo) {
        Prices adjusted = prices;
        if ("batch".equals(serviceTier)) {
            adjusted = adjusted.times(batch, batch);
        }
        if ("200k-1M".equals(contextWindow)) {
            adjusted = adjusted.times(longContextInput, longContextOutput);
        }
        if ("us".equals(inferenceGeo)) {
            adjusted = adjusted.times(usOnly, usOnly);
        }
        return adjusted;
    }

    private static JsonNode required(JsonNode node, String field, String source) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new ConfigException("price table " + source + " has no " + field);
        }
        return value;
    }

    private static BigDecimal decimal(JsonNode node, String field, String source) {
        return new BigDecimal(required(node, field, source).asText());
    }
}
