package dev.claudedataingestion.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.warehouse.Tables;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Claude Code's OTLP export as rows of {@link Tables#CLAUDE_CODE_EVENTS} and {@link Tables#CLAUDE_CODE_METRICS}.
 * The attributes Anthropic documents become columns; every other attribute, the resource's too, is kept in
 * {@code attributes}. A record's identity is a digest of what Claude Code sets once per event or point, so that an
 * exporter's retry of the same batch yields the same keys.
 */
public final class TelemetryRows {

    /** What Claude Code sends in place of a prompt or response unless the user opted in. */
    private static final String REDACTED = "<REDACTED>";
    /** The attributes that carry what a person typed or was answered: kept only when configured. */
    private static final Set<String> CONTENT = Set.of("prompt", "prompt_text", "response");
    /**
     * Columns of both tables that each hold one attribute, by the name Claude Code gives it; a value is read as its
     * column's type.
     */
    private static final Map<String, String> SHARED = columns("session_id", "session.id", "user_account_id",
            "user.account_id", "user_email", "user.email", "provider", "anthropic.provider", "model", "model",
            "service_version", "service.version");
    private static final Map<String, String> EVENT = columns("prompt_id", "prompt.id", "event_sequence",
            "event.sequence", "user_id", "user.id", "input_tokens", "input_tokens", "output_tokens", "output_tokens",
            "cache_read_tokens", "cache_read_tokens", "cache_creation_tokens", "cache_creation_tokens", "duration_ms",
            "duration_ms", "request_id", "request_id", "speed", "speed", "query_source", "query_source", "effort",
            "effort", "terminal_type", "terminal.type", "tool_name", "tool_name", "success", "success", "error", "error",
            "status_code", "status_code", "attempt", "attempt");
    private static final Map<String, String> METRIC = columns("type", "type");
    /** The attribute of {@code organization_id}, read with a default. */
    private static final String ORGANIZATION = "organization.id";
    /** Attributes an event's columns read otherwise: with a fallback or a conversion of their own. */
    private static final Set<String> EVENT_READ_OTHERWISE = Set.of("event.name", "event.timestamp", "cost_usd",
            "cost_usd_micros", "decision", "decision_type", "source", "decision_source");
    /** A metric's value is kept to 9 decimals, as BigQuery's NUMERIC would: a cost sent as a double sums exactly. */
    private static final int VALUE_SCALE = 9;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<String> defaultOrganization;
    private final boolean keepContent;

    /**
     * @param defaultOrganization the organization of records that name none ({@code organization.id} is sent for
     *     signed-in users only)
     * @param keepContent whether a prompt's or response's text, where Claude Code sent it, is stored
     */
    public TelemetryRows(Optional<String> defaultOrganization, boolean keepContent) {
        this.defaultOrganization = defaultOrganization;
        this.keepContent = keepContent;
    }

    /** The rows of one export, and how many of its records were not stored and why. */
    public record Decoded(List<Row> rows, long rejected, String rejection) {
    }

    /** One row of {@code claude_code_events} per log record that names an event. */
    public Decoded events(ExportLogsServiceRequest request, Instant receivedAt) {
        List<Row> rows = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
            Map<String, Object> resource = attributes(resourceLogs.getResource().getAttributesList());
            for (ScopeLogs scope : resourceLogs.getScopeLogsList()) {
                for (LogRecord record : scope.getLogRecordsList()) {
                    Map<String, Object> attributes = new TreeMap<>(resource);
                    attributes.putAll(attributes(record.getAttributesList()));
                    try {
                        rows.add(event(record, attributes, receivedAt).orElseThrow(() -> new IllegalArgumentException(
                                "names no event (no event.name attribute and no string body)")));
                    } catch (IllegalArgumentException | ArithmeticException e) {
                        reasons.add(e.getMessage());
                    }
                }
            }
        }
        return new Decoded(rows, reasons.size(), reasons.isEmpty() ? "" : reasons.size() + " log records not stored;"
                + " the first " + reasons.get(0));
    }

    /** One row of {@code claude_code_metrics} per data point of a sum or a gauge. */
    public Decoded metrics(ExportMetricsServiceRequest request, Instant receivedAt) {
        List<Row> rows = new ArrayList<>();
        long rejected = 0;
        for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
            Map<String, Object> resource = attributes(resourceMetrics.getResource().getAttributesList());
            for (ScopeMetrics scope : resourceMetrics.getScopeMetricsList()) {
                for (Metric metric : scope.getMetricsList()) {
                    List<NumberDataPoint> points = switch (metric.getDataCase()) {
                        case SUM -> metric.getSum().getDataPointsList();
                        case GAUGE -> metric.getGauge().getDataPointsList();
                        default -> null;
                    };
                    if (points == null) {
                        rejected += pointCount(metric);
                        continue;
                    }
                    for (NumberDataPoint point : points) {
                        rows.add(point(metric, point, resource, receivedAt));
                    }
                }
            }
        }
        return new Decoded(rows, rejected, rejected == 0 ? ""
                : rejected + " data points of histograms or summaries; only sums and gauges are stored");
    }

    private Optional<Row> event(LogRecord record, Map<String, Object> attributes, Instant receivedAt) {
        String name = text(attributes.get("event.name"));
        if (name == null && record.getBody().hasStringValue()) {
            name = record.getBody().getStringValue().replaceFirst("^claude_code\\.", "");
        }
        if (name == null || name.isEmpty()) {
            return Optional.empty();
        }
        Instant time = eventTime(record, attributes, receivedAt);
        Row row = new Row(Tables.CLAUDE_CODE_EVENTS);
        shared(row, attributes);
        copy(row, attributes, EVENT);
        row.set("event_name", name)
                .set("event_time", time)
                .set("activity_date", LocalDate.ofInstant(time, ZoneOffset.UTC))
                .set("cost_usd", cost(attributes))
                // tool_decision says decision and source; tool_result, decision_type and decision_source.
                .set("decision", text(attributes.getOrDefault("decision", attributes.get("decision_type"))))
                .set("decision_source", text(attributes.getOrDefault("source", attributes.get("decision_source"))))
                .set("prompt", keepContent ? content(attributes) : null)
                .set("attributes", rest(attributes, EVENT, EVENT_READ_OTHERWISE))
                .set("received_at", receivedAt);
        row.set("event_key", digest(row.string("session_id"), row.string("prompt_id"),
                String.valueOf(row.get("event_sequence")), name, time.toString(),
                row.string("session_id") == null ? canonical(attributes) : ""));
        return Optional.of(row);
    }

    private Row point(Metric metric, NumberDataPoint point, Map<String, Object> resource, Instant receivedAt) {
        Map<String, Object> own = attributes(point.getAttributesList());
        Map<String, Object> attributes = new TreeMap<>(resource);
        attributes.putAll(own);
        Instant end = point.getTimeUnixNano() == 0 ? receivedAt : nanos(point.getTimeUnixNano());
        Instant start = point.getStartTimeUnixNano() == 0 ? null : nanos(point.getStartTimeUnixNano());
        double value = point.hasAsInt() ? point.getAsInt() : point.getAsDouble();
        Row row = new Row(Tables.CLAUDE_CODE_METRICS);
        shared(row, attributes);
        copy(row, attributes, METRIC);
        row.set("metric_name", metric.getName())
                .set("unit", metric.getUnit().isEmpty() ? null : metric.getUnit())
                .set("start_time", start)
                .set("end_time", end)
                .set("activity_date", LocalDate.ofInstant(end, ZoneOffset.UTC))
                .set("value", Double.isFinite(value)
                        ? new BigDecimal(value).setScale(VALUE_SCALE, RoundingMode.HALF_EVEN) : null)
                .set("attributes", rest(attributes, METRIC, Set.of()))
                .set("received_at", receivedAt);
        row.set("point_key", digest(canonical(resource), metric.getName(), canonical(own), String.valueOf(start),
                end.toString()));
        return row;
    }

    private void shared(Row row, Map<String, Object> attributes) {
        row.set("organization_id", Optional.ofNullable(text(attributes.get(ORGANIZATION)))
                .or(() -> defaultOrganization).orElse(null));
        copy(row, attributes, SHARED);
    }

    /** Each column of {@code columns} set from its attribute, read as the column's type. */
    private static void copy(Row row, Map<String, Object> attributes, Map<String, String> columns) {
        columns.forEach((column, attribute) -> {
            Object value = attributes.get(attribute);
            row.set(column, switch (row.table().columns().get(row.table().indexOf(column)).type()) {
                case INT64 -> whole(value);
                case BOOL -> flag(value);
                default -> text(value);
            });
        });
    }

    /** Column and attribute names, in pairs, in order. */
    private static Map<String, String> columns(String... pairs) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            columns.put(pairs[i], pairs[i + 1]);
        }
        return Collections.unmodifiableMap(columns);
    }

    /** When the event happened: Claude Code's {@code event.timestamp}, else the record's time, else its arrival. */
    private static Instant eventTime(LogRecord record, Map<String, Object> attributes, Instant receivedAt) {
        String stamp = text(attributes.get("event.timestamp"));
        if (stamp != null) {
            try {
                return Instant.parse(stamp);
            } catch (DateTimeParseException notIso) {
                // Fall back to the record's own time.
            }
        }
        long nanos = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
        return nanos == 0 ? receivedAt : nanos(nanos);
    }

    /**
     * The exact cost: {@code cost_usd_micros} where sent, else {@code cost_usd} (a double) as written; a cost that is
     * not a number is refused, not stored as none.
     */
    private static BigDecimal cost(Map<String, Object> attributes) {
        Long micros = whole(attributes.get("cost_usd_micros"));
        if (micros != null) {
            return BigDecimal.valueOf(micros, 6);
        }
        Object dollars = attributes.get("cost_usd");
        try {
            if (dollars instanceof Double number) {
                return Double.isFinite(number) ? new BigDecimal(number.toString()) : refuse(dollars);
            }
            if (dollars instanceof Long number) {
                return BigDecimal.valueOf(number);
            }
            return dollars instanceof String text && !text.isBlank() ? new BigDecimal(text.strip())
                    .setScale(12, RoundingMode.HALF_EVEN).stripTrailingZeros() : dollars == null ? null : refuse(dollars);
        } catch (NumberFormatException e) {
            return refuse(dollars);
        }
    }

    private static BigDecimal refuse(Object cost) {
        throw new IllegalArgumentException("has a cost_usd that is not a number of dollars: " + String.valueOf(cost)
                .substring(0, Math.min(40, String.valueOf(cost).length())));
    }

    private static String content(Map<String, Object> attributes) {
        for (String key : List.of("prompt", "prompt_text", "response")) {
            String value = text(attributes.get(key));
            if (value != null && !value.equals(REDACTED)) {
                return value;
            }
        }
        return null;
    }

    /**
     * The attributes no column holds (not {@code columns}' own, the shared ones, nor those read {@code otherwise}),
     * as a JSON object; content and e-mail addresses never go here.
     */
    private static String rest(Map<String, Object> attributes, Map<String, String> columns, Set<String> otherwise) {
        ObjectNode rest = JsonNodeFactory.instance.objectNode();
        attributes.forEach((key, value) -> {
            if (!columns.containsValue(key) && !SHARED.containsValue(key) && !key.equals(ORGANIZATION)
                    && !otherwise.contains(key) && !CONTENT.contains(key)) {
                rest.set(key, JSON.valueToTree(value));
            }
        });
        return rest.toString();
    }

    private static Map<String, Object> attributes(List<KeyValue> list) {
        Map<String, Object> attributes = new TreeMap<>();
        list.forEach(pair -> attributes.put(pair.getKey(), value(pair.getValue())));
        return attributes;
    }

    private static Object value(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> value.getBoolValue();
            case INT_VALUE -> value.getIntValue();
            case DOUBLE_VALUE -> value.getDoubleValue();
            case ARRAY_VALUE -> value.getArrayValue().getValuesList().stream().map(TelemetryRows::value).toList();
            case KVLIST_VALUE -> attributes(value.getKvlistValue().getValuesList());
            case BYTES_VALUE -> Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
            default -> null;
        };
    }

    /** A yes or no, as Claude Code sends it: a boolean, or the text {@code "true"} or {@code "false"}. */
    private static Boolean flag(Object value) {
        if (value instanceof Boolean yes) {
            return yes;
        }
        return "true".equals(value) ? Boolean.TRUE : "false".equals(value) ? Boolean.FALSE : null;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    /** A whole number, as Claude Code sends it: an int, a double without fraction, or a numeral. */
    private static Long whole(Object value) {
        if (value instanceof Long number) {
            return number;
        }
        if (value instanceof Double number && number == Math.rint(number) && Double.isFinite(number)) {
            return number.longValue();
        }
        if (value instanceof String numeral) {
            try {
                return Long.parseLong(numeral.trim());
            } catch (NumberFormatException notWhole) {
                return null;
            }
        }
        return null;
    }

    private static long pointCount(Metric metric) {
        return switch (metric.getDataCase()) {
            case HISTOGRAM -> metric.getHistogram().getDataPointsCount();
            case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram().getDataPointsCount();
            case SUMMARY -> metric.getSummary().getDataPointsCount();
            default -> 0;
        };
    }

    private static Instant nanos(long nanos) {
        return Instant.ofEpochSecond(0, nanos);
    }

    /** Attributes in a fixed order and form, for a digest. */
    private static String canonical(Map<String, Object> attributes) {
        ArrayNode pairs = JsonNodeFactory.instance.arrayNode();
        new TreeMap<>(attributes).forEach((key, value) -> pairs.add(key).add(JSON.<JsonNode>valueToTree(value)));
        return pairs.toString();
    }

    private static String digest(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                byte[] bytes = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
                sha.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
