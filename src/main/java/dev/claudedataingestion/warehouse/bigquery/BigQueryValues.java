package dev.claudedataingestion.warehouse.bigquery;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.TableResult;
import dev.claudedataingestion.warehouse.Warehouse.QueryVisitor;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Values between this program and BigQuery: a read's parameters going in, a result's values coming out. */
final class BigQueryValues {

    private BigQueryValues() {
    }

    /** Hands {@code result} to {@code visitor}: its column names, then each row's values as Java values. */
    static void visit(TableResult result, QueryVisitor visitor) {
        Schema schema = result.getSchema();
        visitor.columns(schema.getFields().stream().map(Field::getName).toList());
        for (FieldValueList row : result.iterateAll()) {
            List<Object> values = new ArrayList<>(schema.getFields().size());
            for (int i = 0; i < schema.getFields().size(); i++) {
                values.add(value(schema.getFields().get(i), row.get(i)));
            }
            visitor.row(values);
        }
    }

    /** A read's parameter as BigQuery takes it. */
    static QueryParameterValue parameter(String name, Object value) {
        if (value instanceof String text) {
            return QueryParameterValue.string(text);
        }
        if (value instanceof LocalDate day) {
            return QueryParameterValue.date(day.toString());
        }
        if (value instanceof Long || value instanceof Integer) {
            return QueryParameterValue.int64(((Number) value).longValue());
        }
        if (value instanceof BigDecimal decimal) {
            return QueryParameterValue.bigNumeric(decimal);
        }
        if (value instanceof Instant instant) {
            return BigQueryTimestamps.parameter(instant);
        }
        throw new IllegalArgumentException("parameter " + name + " is "
                + (value == null ? "null" : value.getClass().getSimpleName()) + ", which a read cannot bind");
    }

    /** A value BigQuery returned, as the Java value the warehouse's readers take. */
    static Object value(Field field, FieldValue value) {
        if (value.isNull()) {
            return null;
        }
        LegacySQLTypeName type = field.getType();
        if (LegacySQLTypeName.INTEGER.equals(type)) {
            return value.getLongValue();
        }
        if (LegacySQLTypeName.NUMERIC.equals(type) || LegacySQLTypeName.BIGNUMERIC.equals(type)) {
            return value.getNumericValue();
        }
        if (LegacySQLTypeName.FLOAT.equals(type)) {
            return value.getDoubleValue();
        }
        if (LegacySQLTypeName.BOOLEAN.equals(type)) {
            return value.getBooleanValue();
        }
        if (LegacySQLTypeName.DATE.equals(type)) {
            return LocalDate.parse(value.getStringValue());
        }
        if (LegacySQLTypeName.TIMESTAMP.equals(type)) {
            return value.getTimestampInstant();
        }
        return value.getValue() instanceof String text ? text : value.getValue().toString();
    }
}
