package dev.claudedataingestion.analysis.spend;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An organization's billed spend as the FOCUS view ({@link FocusCost}) counts it: each day from the analytics cost
 * report where it is loaded, else from the cost report, never from both. The budget check, the digest and the
 * export agree because they all read it so.
 */
public final class Spend {

    private final Warehouse warehouse;
    private final String organizationId;

    public Spend(Warehouse warehouse, String organizationId) {
        this.warehouse = warehouse;
        this.organizationId = organizationId;
    }

    /** The days of {@code within} that either cost report has loaded. */
    public TreeSet<LocalDate> loadedDays(DayRange within) {
        TreeSet<LocalDate> days = new TreeSet<>(warehouse.coveredDays(ReportKind.COST, organizationId, within));
        days.addAll(warehouse.coveredDays(ReportKind.ANALYTICS_COST, organizationId, within));
        return days;
    }

    /** The billed cost of {@code days}, exact; zero where nothing is loaded (ask {@link #loadedDays} first). */
    public BigDecimal total(DayRange days) {
        try {
            return warehouse.read("SELECT SUM(" + column("BilledCost") + ") AS spent FROM " + view() + between(),
                    parameters(days), row -> row.decimal("spent")).get(0);
        } catch (WarehouseException e) {
            throw FocusCost.explain(e);
        }
    }

    /** The billed cost of {@code days} by the value of one FOCUS column ({@code SubAccountName}, {@code SkuId}, …). */
    public Map<String, BigDecimal> by(String focusColumn, DayRange days) {
        if (FocusCost.COLUMNS.stream().noneMatch(c -> c.name().equals(focusColumn))) {
            throw new IllegalArgumentException("not a column of " + FocusCost.VIEW + ": " + focusColumn);
        }
        Map<String, BigDecimal> spend = new TreeMap<>();
        warehouse.forEach("SELECT " + column(focusColumn) + " AS name, SUM(" + column("BilledCost") + ") AS spent FROM "
                + view() + between() + " GROUP BY " + column(focusColumn), parameters(days),
                row -> spend.put(row.string("name") == null ? "(none)" : row.string("name"), row.decimal("spent")));
        return spend;
    }

    /** Where a straight line through the month's spend so far ends the month, to the cent. */
    public static BigDecimal forecast(BigDecimal monthToDate, LocalDate through) {
        return monthToDate.multiply(BigDecimal.valueOf(through.lengthOfMonth()))
                .divide(BigDecimal.valueOf(through.getDayOfMonth()), 2, RoundingMode.HALF_UP);
    }

    private String view() {
        return warehouse.dialect().table(FocusCost.VIEW);
    }

    private String column(String name) {
        return warehouse.dialect().column(name);
    }

    private String between() {
        String start = column("ChargePeriodStart");
        return " WHERE " + column(FocusCost.ORGANIZATION) + " = @organization_id AND " + start + " >= @from AND "
                + start + " < @to";
    }

    private Map<String, Object> parameters(DayRange days) {
        return Map.of("organization_id", organizationId, "from", days.startInstant(), "to", days.endInstant());
    }
}
