package dev.claudedataingestion.warehouse.bigquery;

import com.google.cloud.bigquery.TableDataWriteChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.function.Supplier;

/**
 * Opens the upload with the first byte. An upload of nothing is never sent by the client, so it would have no
 * job to wait for; a window without rows needs no load at all.
 */
final class LazyUpload extends OutputStream {
    private final Supplier<TableDataWriteChannel> open;
    TableDataWriteChannel channel;
    private OutputStream out;

    LazyUpload(Supplier<TableDataWriteChannel> open) {
        this.open = open;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (out == null) {
            channel = open.get();
            out = Channels.newOutputStream(channel);
        }
        out.write(bytes, offset, length);
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
