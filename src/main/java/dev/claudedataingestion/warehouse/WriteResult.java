package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;

/** What one {@link Warehouse#replaceDays} wrote: the days covered and the fact rows now standing for them. */
public record WriteResult(ReportKind report, DayRange days, long rows) {
}
