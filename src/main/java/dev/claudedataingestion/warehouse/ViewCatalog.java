package dev.claudedataingestion.warehouse;

import java.util.List;

/** The views of the warehouse's schema, written for its dialect, in the order they are created. */
@FunctionalInterface
public interface ViewCatalog {

    /** No views: the tables alone. */
    ViewCatalog NONE = sql -> List.of();

    List<View> views(SqlDialect sql);
}
