package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.model.Deadline;

/** A warehouse as a URL names it, its secrets read, not yet opened. Each {@link WarehouseProvider} makes its own. */
public interface WarehouseLocation {

    /** The URL as it may be logged: without credentials. */
    String displayUrl();

    /**
     * Opens the warehouse. A read-only one refuses every statement that would change it; a run's warehouse never
     * keeps a job going past {@code deadline}.
     */
    Warehouse open(boolean readOnly, Deadline deadline);

    /** Opens the warehouse for a command without a deadline. */
    default Warehouse open(boolean readOnly) {
        return open(readOnly, Deadline.none(java.time.Clock.systemUTC()));
    }

    /**
     * This location with a cap on the bytes one {@code query} statement may bill; only warehouses that bill by
     * bytes read take one.
     */
    default WarehouseLocation withMaximumBytesBilled(long bytes) {
        throw new ConfigException("--maximum-bytes-billed applies to BigQuery only; this warehouse is " + displayUrl());
    }
}
