package dev.claudedataingestion.warehouse.duckdb;

import dev.claudedataingestion.warehouse.WarehouseException;
import java.io.File;
import java.lang.reflect.Field;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Locale;
import jdk.jfr.FlightRecorder;

/**
 * Where DuckDB's driver finds its native library, checked before the driver tries: it looks in its own jar (as in
 * the tests, where the driver's jar is on the class path), then on {@code java.library.path}, then beside the jar
 * that holds it. The build puts the libraries beside {@code claude-ingest.jar} and leaves them out of it, so that
 * the driver loads the file in place instead of copying 72 MB to a new temporary file on every start. A jar copied
 * without them gets this message, not the driver's stack trace.
 */
public final class NativeLibrary {

    private static volatile boolean found;

    private NativeLibrary() {
    }

    /** Returns when the driver will find its library; otherwise says which file is missing and where it belongs. */
    public static void check() {
        if (found) {
            return;
        }
        String name = "libduckdb_java.so_" + operatingSystem() + "_" + architecture();
        Path besideJar = jarFolder().resolve(name);
        if (NativeLibrary.class.getResource("/" + name) == null && !Files.isReadable(besideJar)
                && !onLibraryPath()) {
            throw new WarehouseException("DuckDB's native library " + besideJar + " is missing; keep"
                    + " claude-ingest.jar and the libduckdb_java.so_* files that the build puts beside it (in target/)"
                    + " together");
        }
        skipMemoryEvent();
        found = true;
    }

    /**
     * DuckDB's driver registers a Flight Recorder event (the database's memory use) as its class loads, and that
     * starts the JVM's Flight Recorder: 80 to 130 ms of every command that opens a DuckDB file (docs/benchmarks.md,
     * "Start-up"), for an event recorded only when someone records the JVM. Unless a recording is already on, the
     * driver's monitor is marked as started before the driver loads, which skips the registration. A driver without
     * that field, or a Java without the Flight Recorder, loads as before. Before the driver class loads, so: before
     * any connection.
     */
    private static void skipMemoryEvent() {
        try {
            if (FlightRecorder.isInitialized()) {
                return;
            }
            Field started = Class.forName("org.duckdb.DuckDBMemoryMonitor", false, NativeLibrary.class.getClassLoader())
                    .getDeclaredField("initialized");
            started.setAccessible(true);
            started.setBoolean(null, true);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // The driver registers its event as it always did: slower, nothing else.
        }
    }

    // The driver's own naming (org.duckdb.DuckDBNative): linux, macos or windows; amd64 or arm64.
    private static String operatingSystem() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).trim();
        if (os.startsWith("windows")) {
            return "windows";
        }
        return os.startsWith("mac") ? "macos" : os.startsWith("linux") ? "linux" : os.replaceAll("[^a-z0-9_\\-.]", "");
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT).trim();
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch.replaceAll("[^a-z0-9_\\-.]", "");
        };
    }

    private static boolean onLibraryPath() {
        String library = System.mapLibraryName("duckdb_java");
        for (String folder : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
            if (!folder.isEmpty() && Files.isReadable(Path.of(folder, library))) {
                return true;
            }
        }
        return false;
    }

    private static Path jarFolder() {
        CodeSource source = NativeLibrary.class.getProtectionDomain().getCodeSource();
        try {
            if (source != null && source.getLocation() != null) {
                return Path.of(source.getLocation().toURI()).toAbsolutePath().getParent();
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // Not a file (a nested or remote jar): the working folder is as good a guess as any.
        }
        return Path.of("").toAbsolutePath();
    }
}
