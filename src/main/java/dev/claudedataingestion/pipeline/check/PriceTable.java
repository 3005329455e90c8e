package dev.claudedataingestion.pipeline.check;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.claudedataingestion.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Prices per million tokens, by model prefix, to estimate what usage should cost. Versioned: the built-in table
 * ({@code prices.json}) says which price list it copies; {@code --prices FILE} replaces it with one in the same
 * form when prices change or an organization has its own.
 */
public final class PriceTable {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private record ModelPrice(String prefix, BigDecimal input, BigDecimal output) {
    }

    /** The tokens of one usage group, by kind. */
    public record Tokens(long uncachedInput, long cacheWrite5m, long cacheWrite1h, long cacheRead, long output) {
    }

    private final String version;
    private final List<ModelPrice> models;
    private final BigDecimal batch;
    private final BigDecimal longContextInput;
    private final BigDecimal longContextOutput;
    private final BigDecimal cacheWrite5m;
    private final BigDecimal cacheWrite1h;
    private final BigDecimal cacheRead;

    private PriceTable(JsonNode table, String source) {
        try {
            version = required(table, "version", source).asText();
            batch = decimal(table, "batch_multiplier", source);
            longContextInput = decimal(table.path("long_context"), "input_multiplier", source);
            longContextOutput = decimal(table.path("long_context"), "output_multiplier", source);
            cacheWrite5m = decimal(table, "cache_write_5m_multiplier", source);
            cacheWrite1h = decimal(table, "cache_write_1h_multiplier", source);
            cacheRead = decimal(table, "cache_read_multiplier", source);
            List<ModelPrice> prices = new ArrayList<>();
            for (JsonNode model : required(table, "models", source)) {
                prices.add(new ModelPrice(required(model, "prefix", source).asText(), decimal(model, "input", source),
                        decimal(model, "output", source)));
            }
            // The longest prefix wins: claude-3-5-haiku before claude-3.
            prices.sort(Comparator.comparingInt((ModelPrice price) -> price.prefix().length()).reversed());
            models = List.copyOf(prices);
        } catch (NumberFormatException e) {
            throw new ConfigException("price table " + source + " has a price that is not a number: " + e.getMessage());
        }
    }

    /** The table this version ships. */
    public static PriceTable builtIn() {
        try (InputStream in = PriceTable.class.getResourceAsStream("/dev/claudedataingestion/prices.json")) {
            return new PriceTable(JSON.readTree(in), "prices.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A table from a file in the same form as the built-in one. */
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

    /**
     * What {@code tokens} of {@code model} cost in dollars at this table's prices, or empty when the model has no
     * price here. Batch halves the price; the 200k-1M context window raises input-side and output prices.
     */
    public Optional<BigDecimal> estimateUsd(String model, String serviceTier, String contextWindow, Tokens tokens) {
        if (model == null) {
            return Optional.empty();
        }
        Optional<ModelPrice> price = models.stream().filter(p -> model.startsWith(p.prefix())).findFirst();
        if (price.isEmpty()) {
            return Optional.empty();
        }
        BigDecimal input = price.get().input();
        BigDecimal output = price.get().output();
        if ("batch".equals(serviceTier)) {
            input = input.multiply(batch);
            output = output.multiply(batch);
        }
        if ("200k-1M".equals(contextWindow)) {
            input = input.multiply(longContextInput);
            output = output.multiply(longContextOutput);
        }
        BigDecimal total = input.multiply(BigDecimal.valueOf(tokens.uncachedInput()))
                .add(input.multiply(cacheWrite5m).multiply(BigDecimal.valueOf(tokens.cacheWrite5m())))
                .add(input.multiply(cacheWrite1h).multiply(BigDecimal.valueOf(tokens.cacheWrite1h())))
                .add(input.multiply(cacheRead).multiply(BigDecimal.valueOf(tokens.cacheRead())))
                .add(output.multiply(BigDecimal.valueOf(tokens.output())));
        return Optional.of(total.divide(MILLION));
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
