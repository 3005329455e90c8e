package dev.claudedataingestion.warehouse;

import java.util.List;

/**
 * The statements that erase people's e-mail addresses and names from the days before a cutoff, written for a
 * warehouse's dialect, in the order they must run; each takes {@code @organization_id} and {@code @before}.
 */
@FunctionalInterface
public interface Erasure {

    /** The parameter that holds the organization. */
    String ORGANIZATION = "organization_id";
    /** The parameter that holds the cutoff day, the first day kept. */
    String BEFORE = "before";

    List<String> statements(SqlDialect sql);
}
