package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.Settings;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import dev.claudedataingestion.warehouse.Warehouses;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;

/** What commands read from the outside world: environment, clock and output streams, so tests can set them. */
record Context(Map<String, String> environment, Clock clock, PrintStream out, PrintStream err, boolean terminal) {

    Settings settings() {
        return new Settings(environment);
    }

    /** The warehouse {@code --warehouse} names, else the environment ({@link Warehouses#locate}). */
    WarehouseLocation warehouse(String flag) {
        Settings settings = settings();
        return Warehouses.locate(settings.warehouseUrl(flag), environment);
    }

    /** The version this build was made from. */
    static String version() {
        try (InputStream in = Context.class.getResourceAsStream("/dev/claudedataingestion/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
