package dev.claudedataingestion.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.config.Settings;
import dev.claudedataingestion.model.Cents;
import dev.claudedataingestion.model.Csv;
import dev.claudedataingestion.warehouse.Cancellation;
import dev.claudedataingestion.warehouse.UserQuery;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "query", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Runs one read-only SQL statement against the warehouse and prints the result.",
            "With --organization, the tables and views it names (without a dataset or schema) hold that"
                + " organization's rows only."})
final class QueryCommand implements Callable<Integer> {

    enum Format { table, csv, json }

    private final Context context;

    @Mixin
    WarehouseOption warehouse;

    @Mixin
    OrganizationOption organization;

    @Parameters(paramLabel = "SQL", description = "the statement, e.g. \"SELECT * FROM ingestion_runs\"")
    String sql;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table, csv or json (default: table)")
    Format format;

    @Option(names = "--maximum-bytes-billed", paramLabel = "BYTES", description = "BigQuery only: refuse a statement"
            + " whose dry run processes more, and let BigQuery stop it there; e.g. 500MB, 10GB, 1TB (default: 10GB)")
    String maximumBytesBilled;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "stop the statement on the warehouse after"
            + " this long, e.g. 30s, 5m (default: 60s)")
    String timeout;

    @Option(names = "--allow-privileged-role", description = "PostgreSQL: run even as a login that could read the"
            + " server's files or stop other sessions (a superuser, say); large objects and server files stay refused")
    boolean allowPrivilegedRole;

    QueryCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        WarehouseLocation config = context.warehouse(warehouse.url);
        if (maximumBytesBilled != null) {
            config = config.withMaximumBytesBilled(Settings.parseBytes(maximumBytesBilled, "--maximum-bytes-billed"));
        }
        Duration limit = timeout == null ? UserQuery.DEFAULT_TIMEOUT : Settings.parseDuration(timeout, "--timeout");
        UserQuery query = new UserQuery(Optional.ofNullable(organization.id), limit, allowPrivilegedRole,
                new Cancellation(), AnalysisViews.catalog());
        // Ctrl-C or SIGTERM stops the statement on the warehouse before the process goes, so none is left running.
        Thread onSignal = new Thread(query.cancellation()::cancel, "claude-ingest-query-cancel");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try (Warehouse opened = config.open(true)) {
            Printer printer = switch (format) {
                case table -> new TablePrinter(context.out());
                case csv -> new CsvPrinter(context.out());
                case json -> new JsonPrinter(context.out());
            };
            if (query.organization().isPresent()) {
                // One not in the warehouse is named with those that are, rather than giving an empty result.
                organization.select(opened.coverage(), Warehouse.CoverageSummary::organizationId);
            }
            opened.query(sql, query, printer);
            printer.finish();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is cancelling the statement.
            }
        }
        context.out().flush();
        return Main.OK;
    }

    /** Receives a result and prints it; {@link #finish()} completes the output. */
    interface Printer extends Warehouse.QueryVisitor {
        default void finish() {
        }
    }

    /** Numbers as written, without the padding zeros of a fixed scale; everything else as text. */
    static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof BigDecimal decimal) {
            return Cents.plain(decimal);
        }
        return value.toString();
    }

    /** Aligned columns; numbers to the right. Holds the result to measure it, as a table must. */
    static final class TablePrinter implements Printer {
        private final PrintStream out;
        private List<String> columns = List.of();
        private final List<List<Object>> rows = new ArrayList<>();

        TablePrinter(PrintStream out) {
            this.out = out;
        }

        @Override
        public void columns(List<String> names) {
            columns = names;
        }

        @Override
        public void row(List<Object> values) {
            rows.add(values);
        }

        @Override
        public void finish() {
            int[] widths = new int[columns.size()];
            boolean[] numeric = new boolean[columns.size()];
            for (int i = 0; i < widths.length; i++) {
                widths[i] = columns.get(i).length();
                numeric[i] = true;
            }
            for (List<Object> row : rows) {
                for (int i = 0; i < widths.length; i++) {
                    widths[i] = Math.max(widths[i], text(row.get(i)).length());
                    numeric[i] &= row.get(i) == null || row.get(i) instanceof Number;
                }
            }
            out.println(line(columns.stream().map(c -> (Object) c).toList(), widths, new boolean[widths.length]));
            out.println(java.util.Arrays.stream(widths).mapToObj("-"::repeat).collect(Collectors.joining("-+-")));
            for (List<Object> row : rows) {
                out.println(line(row, widths, numeric));
            }
            out.printf("(%d row%s)%n", rows.size(), rows.size() == 1 ? "" : "s");
        }

        private static String line(List<Object> values, int[] widths, boolean[] right) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < widths.length; i++) {
                String cell = text(values.get(i));
                cells.add(right[i] ? " ".repeat(widths[i] - cell.length()) + cell
                        : cell + " ".repeat(widths[i] - cell.length()));
            }
            return String.join(" | ", cells).stripTrailing();
        }
    }

    /** RFC 4180 ({@link Csv}), header first; streams. */
    static final class CsvPrinter implements Printer {
        private final PrintStream out;

        CsvPrinter(PrintStream out) {
            this.out = out;
        }

        @Override
        public void columns(List<String> names) {
            out.print(Csv.line(names));
        }

        @Override
        public void row(List<Object> values) {
            // A null stays an empty field, apart from an empty string ("").
            out.print(Csv.line(values.stream().map(v -> v == null ? null : text(v)).toList()));
        }
    }

    /** A JSON array of objects; numbers stay numbers, exact. Streams. */
    static final class JsonPrinter implements Printer {
        private final JsonGenerator json;
        private List<String> columns = List.of();

        JsonPrinter(PrintStream out) {
            try {
                json = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter();
                json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                json.writeStartArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void columns(List<String> names) {
            columns = names;
        }

        @Override
        public void row(List<Object> values) {
            try {
                json.writeStartObject();
                for (int i = 0; i < columns.size(); i++) {
                    json.writeFieldName(columns.get(i));
                    Object value = values.get(i);
                    if (value == null) {
                        json.writeNull();
                    } else if (value instanceof BigDecimal decimal) {
                        json.writeNumber(Cents.plain(decimal));
                    } else if (value instanceof BigInteger || value instanceof Long || value instanceof Integer
                            || value instanceof Short || value instanceof Byte) {
                        json.writeNumber(value.toString());
                    } else if (value instanceof Number number) {
                        json.writeNumber(number.doubleValue());
                    } else if (value instanceof Boolean bool) {
                        json.writeBoolean(bool);
                    } else {
                        json.writeString(value.toString());
                    }
                }
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void finish() {
            try {
                json.writeEndArray();
                json.writeRaw('\n');
                json.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
