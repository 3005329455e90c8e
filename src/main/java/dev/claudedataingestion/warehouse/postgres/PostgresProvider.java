package dev.claudedataingestion.warehouse.postgres;

import static java.util.Objects.requireNonNull;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import dev.claudedataingestion.warehouse.WarehouseProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code postgresql://USER@HOST:PORT/DATABASE}: a PostgreSQL database. The password is never part of the URL: it
 * comes from {@value #PGPASSWORD} or the standard {@code ~/.pgpass} (read by the driver).
 */
public final class PostgresProvider implements WarehouseProvider {

    public static final String PGPASSWORD = "PGPASSWORD";

    @Override
    public List<String> schemes() {
        return List.of("postgresql", "postgres");
    }

    @Override
    public String form() {
        return "postgresql://USER@HOST:PORT/DATABASE";
    }

    @Override
    public Location parse(String url, Map<String, String> environment) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException("warehouse URL is not a valid postgresql://USER@HOST:PORT/DATABASE URL");
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            throw new ConfigException("the PostgreSQL warehouse URL contains a password; remove it from the URL and"
                    + " set PGPASSWORD or use ~/.pgpass, so that it never shows in process lists or logs");
        }
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || userInfo == null || userInfo.isEmpty() || database.isEmpty()) {
            throw new ConfigException("warehouse URL " + url.replaceAll("\\?.*", "") + " is incomplete; write it as"
                    + " postgresql://USER@HOST:PORT/DATABASE");
        }
        Map<String, String> parameters = new TreeMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (!name.matches("[A-Za-z][A-Za-z0-9]*") || "password".equalsIgnoreCase(name)) {
                    throw new ConfigException("warehouse URL parameter '" + (name.equalsIgnoreCase("password")
                            ? "password" : name) + "' is not accepted; the password comes from PGPASSWORD or ~/.pgpass");
                }
                parameters.put(name, URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1),
                        StandardCharsets.UTF_8));
            }
        }
        return new Location(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                URLDecoder.decode(database, StandardCharsets.UTF_8), URLDecoder.decode(userInfo, StandardCharsets.UTF_8),
                parameters, Optional.ofNullable(environment.get(PGPASSWORD)).filter(p -> !p.isEmpty()));
    }

    /**
     * A PostgreSQL database; the password is left out of {@link #toString()}.
     *
     * @param parameters driver settings from the URL's query, such as {@code sslmode=require}
     */
    public record Location(String host, int port, String database, String user, Map<String, String> parameters,
            Optional<String> password) implements WarehouseLocation {
        public Location {
            requireNonNull(host, "host is null");
            requireNonNull(database, "database is null");
            requireNonNull(user, "user is null");
            parameters = Map.copyOf(parameters);
            requireNonNull(password, "password is null");
        }

        @Override
        public String displayUrl() {
            return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
        }

        @Override
        public Warehouse open(boolean readOnly, Deadline deadline) {
            return PostgresWarehouse.open(host, port, database, user, parameters, password, readOnly);
        }

        @Override
        public String toString() {
            return "Postgres[" + displayUrl() + ", parameters=" + parameters + ", password="
                    + (password.isPresent() ? "[redacted]" : "none") + "]";
        }
    }
}
