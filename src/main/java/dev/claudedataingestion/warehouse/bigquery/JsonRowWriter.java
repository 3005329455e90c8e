package dev.claudedataingestion.warehouse.bigquery;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.warehouse.RowWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** Writes one table row as a JSON object per line. */
final class JsonRowWriter implements RowWriter {
    private final JsonGenerator json;
    private final List<Column> columns;
    private int column;

    JsonRowWriter(JsonGenerator json, Table table) {
        this.json = json;
        this.columns = table.columns();
    }

    private void field(Object value) {
        try {
            if (column == 0) {
                json.writeStartObject();
            }
            String name = columns.get(column++).name();
            if (value == null) {
                return;
            }
            json.writeFieldName(name);
            if (value instanceof Long number) {
                json.writeNumber(number);
            } else if (value instanceof Boolean bool) {
                json.writeBoolean(bool);
            } else {
                json.writeString(value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void string(String value) {
        field(value);
    }

    @Override
    public void int64(Long value) {
        field(value);
    }

    @Override
    public void bool(Boolean value) {
        field(value);
    }

    @Override
    public void date(LocalDate value) {
        field(value);
    }

    @Override
    public void timestamp(Instant value) {
        field(value == null ? null : BigQueryTimestamps.text(value));
    }

    @Override
    public void decimal(BigDecimal value) {
        field(value == null ? null : value.toPlainString());
    }

    @Override
    public void endRow() {
        try {
            json.writeEndObject();
            json.writeRaw('\n');
            column = 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
