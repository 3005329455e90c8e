package dev.claudedataingestion.ingest;

import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A compact binary form of the rows of a report's tables, for the local spool a window is fetched into before it is
 * written: the table's position, then each value by its column's type, after a byte that says whether it is null.
 * Derived from the tables, so that every report has one.
 */
final class RowCodec {

    private final List<Table> tables;

    RowCodec(List<Table> tables) {
        if (tables.size() > Byte.MAX_VALUE) {
            throw new IllegalArgumentException("too many tables for one report");
        }
        this.tables = List.copyOf(tables);
    }

    void write(Row row, DataOutput out) throws IOException {
        int table = tables.indexOf(row.table());
        if (table < 0) {
            throw new IllegalArgumentException("a row of " + row.table().name() + " is not a row of " + tables);
        }
        out.writeByte(table);
        List<Column> columns = row.table().columns();
        for (int i = 0; i < columns.size(); i++) {
            Object value = row.get(i);
            out.writeBoolean(value != null);
            if (value != null) {
                switch (columns.get(i).type()) {
                    case STRING, JSON -> writeString((String) value, out);
                    case INT64 -> out.writeLong((Long) value);
                    case BOOL -> out.writeBoolean((Boolean) value);
                    case DATE -> out.writeLong(((LocalDate) value).toEpochDay());
                    case TIMESTAMP -> {
                        out.writeLong(((Instant) value).getEpochSecond());
                        out.writeInt(((Instant) value).getNano());
                    }
                    case CENTS, USD -> writeDecimal((BigDecimal) value, out);
                }
            }
        }
    }

    /**
     * About the bytes {@link #write} takes for {@code row}, without encoding it: a string's characters (most are
     * ASCII) and length, a decimal's sixteen, a number's eight.
     */
    static long estimatedSize(Row row) {
        List<Column> columns = row.table().columns();
        long size = 1;
        for (int i = 0; i < columns.size(); i++) {
            Object value = row.get(i);
            size += 1 + (value == null ? 0 : value instanceof String text ? 4 + text.length()
                    : value instanceof BigDecimal ? 16 : value instanceof Instant ? 12 : 8);
        }
        return size;
    }

    Row read(DataInput in) throws IOException {
        Table table = tables.get(in.readByte());
        Row row = new Row(table);
        for (Column column : table.columns()) {
            if (in.readBoolean()) {
                row.set(column.name(), switch (column.type()) {
                    case STRING, JSON -> readString(in);
                    case INT64 -> in.readLong();
                    case BOOL -> in.readBoolean();
                    case DATE -> LocalDate.ofEpochDay(in.readLong());
                    case TIMESTAMP -> Instant.ofEpochSecond(in.readLong(), in.readInt());
                    case CENTS, USD -> readDecimal(in);
                });
            }
        }
        return row;
    }

    private static void writeString(String value, DataOutput out) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInput in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeDecimal(BigDecimal value, DataOutput out) throws IOException {
        byte[] unscaled = value.unscaledValue().toByteArray();
        out.writeInt(value.scale());
        out.writeInt(unscaled.length);
        out.write(unscaled);
    }

    private static BigDecimal readDecimal(DataInput in) throws IOException {
        int scale = in.readInt();
        byte[] unscaled = new byte[in.readInt()];
        in.readFully(unscaled);
        return new BigDecimal(new BigInteger(unscaled), scale);
    }
}
