package dev.claudedataingestion.model;

import java.time.LocalDate;

/** A row of one of the fact tables, which are replaced by UTC day. */
public sealed interface FactRow permits UsageRow, CostRow, ClaudeCodeRow {

    /** The UTC day the row belongs to; rows are replaced and covered per day. */
    LocalDate activityDate();

    /**
     * The report's headline measure for this row, summed per day to tell whether a re-pulled day changed: all
     * tokens for usage, cents for cost, the estimated dollars for Claude Code.
     */
    java.math.BigDecimal headlineTotal();

    /**
     * What identifies the row within its report: two rows of a window with the same key are the same fact
     * delivered twice. Its full documented identity, so that distinct records never collide.
     */
    java.util.List<Object> key();
}
