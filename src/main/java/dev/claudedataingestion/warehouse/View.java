package dev.claudedataingestion.warehouse;

import static java.util.Objects.requireNonNull;

import dev.claudedataingestion.model.Identifiers;

/**
 * A view a warehouse creates as it is given: its name, its {@code SELECT} in the warehouse's dialect, and the column
 * that names a row's organization, by which {@code query --organization} scopes it.
 */
public record View(String name, String select, String organizationColumn) {

    public View {
        Identifiers.require(name);
        requireNonNull(select, "select is null");
        requireNonNull(organizationColumn, "organizationColumn is null");
    }
}
