package dev.claudedataingestion.model;

import java.time.LocalDate;

/** A row of one of the fact tables, which are replaced by UTC day. */
public sealed interface FactRow permits UsageRow, CostRow, ClaudeCodeRow {

    /** The UTC day the row belongs to; rows are replaced and covered per day. */
    LocalDate activityDate();
}
