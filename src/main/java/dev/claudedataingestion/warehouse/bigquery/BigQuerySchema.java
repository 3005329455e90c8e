package dev.claudedataingestion.warehouse.bigquery;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.TableDefinition;
import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.Table;

/** The contract's tables in BigQuery's types. */
final class BigQuerySchema {

    private BigQuerySchema() {
    }

    /** Whether a table is partitioned by its {@code activity_date}, as this program creates fact tables. */
    static boolean partitionedByActivityDate(TableDefinition definition) {
        return definition instanceof StandardTableDefinition standard && standard.getTimePartitioning() != null
                && "activity_date".equals(standard.getTimePartitioning().getField());
    }

    /** A table of the contract as BigQuery types it, every column nullable. */
    static Schema of(Table table) {
        return Schema.of(table.columns().stream().map(BigQuerySchema::field).toList());
    }

    /** A column as BigQuery types it, nullable. */
    static Field field(Column column) {
        StandardSQLTypeName type = switch (column.type()) {
            case STRING, JSON -> StandardSQLTypeName.STRING;
            case INT64 -> StandardSQLTypeName.INT64;
            case BOOL -> StandardSQLTypeName.BOOL;
            case DATE -> StandardSQLTypeName.DATE;
            case TIMESTAMP -> StandardSQLTypeName.TIMESTAMP;
            // NUMERIC keeps 9 decimal places; cents arrive with more, and dollars have two more again.
            case CENTS, USD -> StandardSQLTypeName.BIGNUMERIC;
        };
        return Field.newBuilder(column.name(), type).setMode(Field.Mode.NULLABLE).build();
    }
}
