package dev.claudedataingestion.warehouse;

import java.util.function.Consumer;

/** Rows a warehouse pulls while it writes them; may be read once per write attempt. */
@FunctionalInterface
public interface RowStream<T> {

    void forEach(Consumer<? super T> action);
}
