package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.model.Identifiers;
import java.math.BigDecimal;
import java.util.Map;
import java.util.stream.Collectors;

/** The few things the analysis views say differently on each warehouse. */
public interface SqlDialect {

    /** A table or view of the contract, as the warehouse names it. */
    String table(String name);

    /** {@code a / b} as a fraction, null where {@code b} is zero. */
    String divide(String a, String b);

    /** The first day of the month of a date, as a date. */
    String monthStart(String date);

    /** An exact decimal constant. */
    default String decimal(BigDecimal value) {
        return value.toPlainString();
    }

    /**
     * A number as a decimal of {@code precision} digits, {@code scale} of them after the point, where the warehouse
     * would otherwise choose a type that cannot hold a product exactly (DuckDB narrows the scale of a product).
     */
    default String fixed(String expression, int precision, int scale) {
        return "CAST(" + expression + " AS DECIMAL(" + precision + ", " + scale + "))";
    }

    /** A value as text. */
    String text(String expression);

    /** The UTC day of an instant (a TIMESTAMP column), as a date. */
    String utcDate(String timestamp);

    /** A date {@code days} later. */
    String plusDays(String date, int days);

    /** The instant a UTC day begins, as a TIMESTAMP. */
    String dayStart(String date);

    /** A column name with its case kept, as the FOCUS columns are named ({@code BilledCost}). */
    default String column(String name) {
        return '"' + Identifiers.requireCased(name) + '"';
    }

    /** A JSON object of each key (a constant) to its expression's value, as text; a null value is JSON's null. */
    String jsonObject(Map<String, String> fields);

    /** {@code 'key', value, …}: the arguments of the warehouses' functions that build a JSON object. */
    static String keysAndValues(Map<String, String> fields) {
        return fields.entrySet().stream().map(field -> "'" + Identifiers.require(field.getKey()) + "', "
                + field.getValue()).collect(Collectors.joining(", "));
    }
}
