package dev.claudedataingestion.warehouse.bigquery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code target/bigquery-statements.sql}: every statement the {@link BigQueryFake}s of a build accepted, for a
 * reviewer to run another analyzer or BigQuery's dry run over. Each is preceded by a line {@code -- param NAME TYPE}
 * per query parameter (and {@code -- default dataset NAME} when it had one) and followed by {@code -- end}; tables
 * and views made through the tables API appear as the equivalent DDL. A fake keeps its statements, in the order it
 * received them, and appends them whole when it closes, so that each fake's statements follow its own
 * {@code CREATE}s in the file however many fakes and test JVMs run side by side. Maven deletes the file as the
 * tests start.
 */
final class StatementRecord {

    static final Path FILE = Path.of("target", "bigquery-statements.sql");

    private final StringBuilder kept = new StringBuilder();

    /** One statement or script as recorded. */
    record Entry(String sql, Map<String, String> parameters, String defaultDataset) {
    }

    /** Keeps {@code sql} with its parameters (name to BigQuery type name) and its default dataset, if any. */
    synchronized void add(String sql, Map<String, String> parameters, String defaultDataset) {
        parameters.forEach((name, type) -> kept.append("-- param ").append(name).append(' ').append(type).append('\n'));
        if (defaultDataset != null) {
            kept.append("-- default dataset ").append(defaultDataset).append('\n');
        }
        kept.append(sql.strip()).append('\n').append("-- end\n");
    }

    /** Appends what was kept to the file, whole, and forgets it. */
    synchronized void flush() {
        if (kept.length() == 0) {
            return;
        }
        try {
            Files.createDirectories(FILE.getParent());
            try (FileChannel channel = FileChannel.open(FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                FileLock lock = channel.lock();
                try {
                    ByteBuffer bytes = ByteBuffer.wrap(kept.toString().getBytes(StandardCharsets.UTF_8));
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kept.setLength(0);
    }

    /** Every whole entry of the record as it is now, in order. */
    static List<Entry> read() throws IOException {
        String text;
        try (FileChannel channel = FileChannel.open(FILE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = channel.lock();
            try {
                text = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                lock.release();
            }
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> parameters = new LinkedHashMap<>();
        String defaultDataset = null;
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (sql.length() == 0 && line.startsWith("-- param ")) {
                String[] parts = line.substring("-- param ".length()).split(" ", 2);
                parameters.put(parts[0], parts[1]);
            } else if (sql.length() == 0 && line.startsWith("-- default dataset ")) {
                defaultDataset = line.substring("-- default dataset ".length());
            } else if (line.equals("-- end")) {
                entries.add(new Entry(sql.toString(), Map.copyOf(parameters), defaultDataset));
                parameters.clear();
                defaultDataset = null;
                sql.setLength(0);
            } else {
                sql.append(line).append('\n');
            }
        }
        return entries;
    }
}
