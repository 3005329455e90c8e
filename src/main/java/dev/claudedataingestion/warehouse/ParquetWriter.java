package dev.claudedataingestion.warehouse;

import java.nio.file.Path;
import java.util.List;

/** Converts a CSV file this program wrote into Parquet: a port a backend may provide ({@link Warehouses#parquet}). */
@FunctionalInterface
public interface ParquetWriter {

    /** A column's type in the Parquet file. */
    enum Type { DECIMAL, TIMESTAMP, BOOLEAN, STRING }

    /** A column of the file, in order. */
    record Column(String name, Type type) {
    }

    /**
     * Converts {@code csv} (a header, then RFC 4180 rows; an unquoted empty field is null) of {@code columns} into
     * the Parquet file {@code parquet}. Both are this program's own files.
     */
    void csvToParquet(Path csv, List<Column> columns, Path parquet);
}
