package dev.claudedataingestion.warehouse;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One kind of warehouse: the URL schemes it answers to, how it reads such a URL and the secrets that go with it, and
 * how it is described to users. {@link Warehouses} lists them.
 */
public interface WarehouseProvider {

    /** The schemes of its URLs, the part before the first {@code :}. */
    List<String> schemes();

    /** Its URL's form for help and messages, such as {@code duckdb:PATH}. */
    String form();

    /**
     * Reads {@code url}, one of its schemes, with the secrets {@code environment} holds for it (never from the URL);
     * throws a {@code ConfigException} that says how to write it otherwise.
     */
    WarehouseLocation parse(String url, Map<String, String> environment);

    /** A URL that variables of its own name when {@code WAREHOUSE} and {@code --warehouse} do not. */
    default Optional<String> urlFromEnvironment(Map<String, String> environment) {
        return Optional.empty();
    }
}
