package dev.claudedataingestion.warehouse.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the tests: started once per test JVM from the binaries Maven brings, on a free
 * loopback port, stopped when the JVM exits. Each caller gets a database of its own.
 */
public final class PostgresServer {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private PostgresServer() {
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                // The superuser connects without a password, everyone else with one, so that the tests can show
                // that passwords are taken from PGPASSWORD and pgpass files.
                server = EmbeddedPostgres.builder().setDataDirectoryCustomizer(directory -> {
                    try {
                        Files.writeString(directory.toPath().resolve("pg_hba.conf"), String.join("\n",
                                "host all postgres 127.0.0.1/32 trust",
                                "host all postgres ::1/128 trust",
                                "host all all 127.0.0.1/32 scram-sha-256",
                                "host all all ::1/128 scram-sha-256",
                                "local all all trust", ""));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // The JVM is going away; the server's directory is temporary.
                }
            }));
        }
        return server;
    }

    /** A new, empty database on the shared server. */
    public static PostgresProvider.Location newDatabase() {
        String name = "test_" + DATABASES.incrementAndGet();
        try (Connection connection = server().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new PostgresProvider.Location("127.0.0.1", server().getPort(), name, "postgres", Map.of(),
                Optional.empty());
    }

    /** Runs statements directly in {@code database}, as another client would. */
    public static void execute(PostgresProvider.Location database, String... statements) {
        try (Connection connection = server().getDatabase("postgres", database.database()).getConnection();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
