package dev.claudedataingestion.warehouse.jdbc;

import java.sql.SQLException;

/** Carries an {@link SQLException} out of a {@code RowWriter}, whose methods cannot declare it. */
public final class UncheckedSqlException extends RuntimeException {

    public UncheckedSqlException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    @Override
    public synchronized SQLException getCause() {
        return (SQLException) super.getCause();
    }
}
