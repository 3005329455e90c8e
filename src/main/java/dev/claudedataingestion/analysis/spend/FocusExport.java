package dev.claudedataingestion.analysis.spend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.model.Cents;
import dev.claudedataingestion.model.Csv;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.warehouse.ParquetWriter;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseException;
import dev.claudedataingestion.warehouse.Warehouses;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes one organization's FOCUS rows ({@link FocusCost}) over a range of days to a CSV or Parquet file. The rows
 * stream from the warehouse into a file of this program's own and replace {@code out} in one move, so {@code out}
 * is either as it was or whole.
 */
public final class FocusExport {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The tag that names a person; in a file for finance tools only when asked for. */
    private static final String PERSON_TAG = "actor_email";

    /** The costs the file gives a unit price of, right after each. */
    private static final Set<String> PRICED = Set.of("ContractedCost", "ListCost");

    /**
     * The file's columns: the view's, and after {@code ContractedCost} and {@code ListCost} their unit prices, which
     * the file computes exactly from them and {@code PricingQuantity} (the warehouses divide decimals differently).
     */
    public static final List<FocusCost.Column> COLUMNS = fileColumns();

    private static List<FocusCost.Column> fileColumns() {
        List<FocusCost.Column> columns = new ArrayList<>();
        for (FocusCost.Column column : FocusCost.COLUMNS) {
            columns.add(column);
            if (PRICED.contains(column.name())) {
                columns.add(new FocusCost.Column(column.name().replace("Cost", "UnitPrice"), FocusCost.Type.DECIMAL));
            }
        }
        return List.copyOf(columns);
    }

    /** The file formats, by the name's ending. */
    public enum Format {
        CSV, PARQUET;

        /** The format {@code out} names, or a message saying which endings there are. */
        public static Format of(Path out) {
            String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".csv")) {
                return CSV;
            }
            if (name.endsWith(".parquet")) {
                return PARQUET;
            }
            throw new ConfigException("--out " + out + " names neither a .csv nor a .parquet file; end its name with"
                    + " one of them, for example focus.csv");
        }
    }

    /**
     * What was written: the rows, their {@code BilledCost}, the rows of days Anthropic may still revise, and the
     * days of the range that no cost report has loaded (they have no rows).
     */
    public record Written(long rows, BigDecimal billedCost, long provisionalRows, Set<LocalDate> notLoaded) {
    }

    private final Warehouse warehouse;
    private final boolean tagsIncludePeople;

    /** @param tagsIncludePeople whether {@code Tags} keeps the e-mail address of the person a line is attributed to */
    public FocusExport(Warehouse warehouse, boolean tagsIncludePeople) {
        this.warehouse = warehouse;
        this.tagsIncludePeople = tagsIncludePeople;
    }

    /** Writes {@code organizationId}'s rows of {@code days} to {@code out}, a {@code .csv} or {@code .parquet} file. */
    public Written write(String organizationId, DayRange days, Path out) {
        if (Files.isDirectory(out)) {
            throw new ConfigException("--out " + out + " is a folder; name a file, for example "
                    + out.resolve("focus.csv"));
        }
        Format format = Format.of(out);
        Set<LocalDate> loaded = new TreeSet<>(warehouse.coveredDays(ReportKind.COST, organizationId, days));
        loaded.addAll(warehouse.coveredDays(ReportKind.ANALYTICS_COST, organizationId, days));
        if (loaded.isEmpty()) {
            throw new ConfigException("no cost of organization " + organizationId + " is loaded from " + days.first()
                    + " to " + days.last() + "; run 'claude-ingest status' to see the days loaded, and choose --from"
                    + " and --to among them");
        }
        Set<LocalDate> notLoaded = days.days().filter(day -> !loaded.contains(day))
                .collect(Collectors.toCollection(TreeSet::new));

        Path folder = null;
        try {
            folder = Files.createTempDirectory("claude-ingest-export");
            Path csv = folder.resolve("focus.csv");
            Written written;
            try (Writer writer = new BufferedWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
                written = writeCsv(organizationId, days, writer, notLoaded);
            } catch (WarehouseException e) {
                throw FocusCost.explain(e);
            }
            Path file = csv;
            if (format == Format.PARQUET) {
                file = folder.resolve("focus.parquet");
                Warehouses.parquet().csvToParquet(csv, COLUMNS.stream().map(column -> new ParquetWriter.Column(
                        column.name(), switch (column.type()) {
                            case DECIMAL -> ParquetWriter.Type.DECIMAL;
                            case DATETIME -> ParquetWriter.Type.TIMESTAMP;
                            case BOOLEAN -> ParquetWriter.Type.BOOLEAN;
                            case STRING, JSON -> ParquetWriter.Type.STRING;
                        })).toList(), file);
            }
            publish(file, out);
            return written;
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e;
            throw new ConfigException("cannot write " + out + " (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + "); choose a file you may write"
                    + " with --out, on a disk with room");
        } finally {
            deleteQuietly(folder);
        }
    }

    /** Streams the rows into {@code writer} as CSV (RFC 4180, a header first) and totals them. */
    private Written writeCsv(String organizationId, DayRange days, Writer writer, Set<LocalDate> notLoaded) {
        String start = column("ChargePeriodStart");
        // SELECT "BilledCost", … FROM claude_focus_cost WHERE "BillingAccountId" = @organization_id
        //   AND "ChargePeriodStart" >= @from AND "ChargePeriodStart" < @to ORDER BY …
        String sql = "SELECT " + FocusCost.COLUMNS.stream().map(c -> column(c.name())).collect(Collectors.joining(", "))
                + " FROM " + warehouse.dialect().table(FocusCost.VIEW) + " WHERE " + column(FocusCost.ORGANIZATION)
                + " = @organization_id AND " + start + " >= @from AND " + start + " < @to ORDER BY " + start + ", "
                + column("SubAccountId") + ", " + column("SkuId") + ", " + column("SkuMeter");
        Map<String, Object> parameters = Map.of("organization_id", organizationId,
                "from", days.startInstant(), "to", days.endInstant());
        int billed = index("BilledCost");
        int isFinal = index("x_IsFinal");
        int quantity = index("PricingQuantity");
        long[] rows = new long[2];
        BigDecimal[] total = {BigDecimal.ZERO};
        warehouse.read(sql, parameters, new Warehouse.QueryVisitor() {
            @Override
            public void columns(List<String> names) {
                line(COLUMNS.stream().map(FocusCost.Column::name).toList());
            }

            @Override
            public void row(List<Object> values) {
                List<String> fields = new ArrayList<>(COLUMNS.size());
                for (int i = 0; i < values.size(); i++) {
                    FocusCost.Column column = FocusCost.COLUMNS.get(i);
                    String field = text(column.type(), values.get(i));
                    fields.add(field);
                    if (PRICED.contains(column.name())) {
                        fields.add(unitPrice(field, text(FocusCost.Type.DECIMAL, values.get(quantity))));
                    }
                }
                line(fields);
                rows[0]++;
                total[0] = total[0].add(new BigDecimal(text(FocusCost.Type.DECIMAL, values.get(billed))));
                if (!Boolean.parseBoolean(text(FocusCost.Type.BOOLEAN, values.get(isFinal)))) {
                    rows[1]++;
                }
            }

            private void line(List<String> fields) {
                try {
                    writer.write(Csv.line(fields));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        return new Written(rows[0], total[0], rows[1], notLoaded);
    }

    private String column(String name) {
        return warehouse.dialect().column(name);
    }

    /**
     * {@code cost} over {@code quantity}, to the places the file keeps decimals in: times the quantity, it is the
     * cost to within half a unit of the last place per unit of quantity.
     */
    static String unitPrice(String cost, String quantity) {
        if (cost == null || quantity == null) {
            return null;
        }
        return Cents.plain(new BigDecimal(cost).divide(new BigDecimal(quantity), Cents.SCALE + 2,
                RoundingMode.HALF_EVEN));
    }

    private static int index(String name) {
        return FocusCost.COLUMNS.stream().map(FocusCost.Column::name).toList().indexOf(name);
    }

    /**
     * A value as the file holds it, the same whichever warehouse it came from: decimals exact and plain, instants
     * in ISO 8601 at UTC, tags as a JSON object of the keys that have a value, sorted (a person's e-mail address only
     * when asked for); null as {@code null}.
     */
    private String text(FocusCost.Type type, Object value) {
        if (value == null) {
            return null;
        }
        return switch (type) {
            case DECIMAL -> {
                BigDecimal number = value instanceof BigDecimal decimal ? decimal
                        : value instanceof BigInteger whole ? new BigDecimal(whole)
                        : new BigDecimal(value.toString());
                yield Cents.plain(number);
            }
            case DATETIME -> ((Instant) value).toString();
            case BOOLEAN -> value.toString();
            case STRING -> value.toString();
            case JSON -> tags(value.toString(), tagsIncludePeople);
        };
    }

    /** The tags that have a value, sorted; the person's e-mail address only when {@code people}. */
    private static String tags(String json, boolean people) {
        try {
            Map<String, JsonNode> present = new TreeMap<>();
            JSON.readTree(json).properties().forEach(field -> {
                if (!field.getValue().isNull() && (people || !field.getKey().equals(PERSON_TAG))) {
                    present.put(field.getKey(), field.getValue());
                }
            });
            return present.isEmpty() ? null : JSON.writeValueAsString(present);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the FOCUS view's Tags is not a JSON object: " + e.getOriginalMessage(), e);
        }
    }

    /** Copies {@code file} beside {@code out}, then moves it over {@code out} in one step where the disk can. */
    private static void publish(Path file, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path beside = Files.createTempFile(parent, "." + out.getFileName(), ".part");
        try {
            Files.copy(file, beside, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(beside, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(beside, out, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(beside);
        }
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null) {
            return;
        }
        try (var files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // A temporary folder left behind is harmless; the export's outcome is what matters.
        }
    }
}
