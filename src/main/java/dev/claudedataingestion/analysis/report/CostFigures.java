package dev.claudedataingestion.analysis.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudedataingestion.analysis.spend.FocusCost;
import dev.claudedataingestion.analysis.spend.Spend;
import dev.claudedataingestion.analysis.views.DefaultWorkspace;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.model.Cents;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The report's cost figures, summed in the warehouse from the FOCUS view ({@link Spend}: each day from one cost
 * table) and the billed-cost views, for the page to filter by workspace and model and to total by period without
 * asking the warehouse again:
 *
 * <ul>
 *   <li>{@code cube}: billed cost, list cost and cache savings per day, workspace, model and token type, over the
 *   report's days and as many before them (so that any period has the one before it to compare with), and its last
 *   month's; the largest
 *   {@value #LARGEST} workspaces and models by name, the rest as one "Other" each;</li>
 *   <li>{@code tiles}: the same figures for the whole report, unfiltered, exact, as the warehouse sums them;</li>
 *   <li>{@code month}: the month to date of the report's last day, its straight-line forecast and the budget;</li>
 *   <li>{@code people} and {@code products}: billed cost per actor and product and day, from the attributed views
 *   where the analytics cost report is loaded.</li>
 * </ul>
 *
 * <p>Cache savings are what the cache reads would have cost at the model's input price (the versioned price table)
 * less what was billed for them.
 */
final class CostFigures {

    /** How many workspaces, models, people and products the page names; the rest are summed as one. */
    static final int LARGEST = 25;
    /** The first day of a month whose spend so far a forecast is drawn from. */
    static final int FORECAST_FROM_DAY = 7;

    private static final Comparator<List<Integer>> KEY_ORDER = (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
            int order = Integer.compare(a.get(i), b.get(i));
            if (order != 0) {
                return order;
            }
        }
        return 0;
    };

    private final Warehouse warehouse;
    private final PriceTable prices;
    private final JsonNodeFactory json = JsonNodeFactory.instance;

    CostFigures(Warehouse warehouse, PriceTable prices) {
        this.warehouse = warehouse;
        this.prices = prices;
    }

    /** Adds the figures of {@code organization} over {@code range} to the page's {@code data}. */
    void add(ObjectNode data, String organization, DayRange range, Optional<BigDecimal> budget) {
        try {
            addFigures(data, organization, range, budget);
        } catch (WarehouseException e) {
            throw FocusCost.explain(e);
        }
    }

    private void addFigures(ObjectNode data, String organization, DayRange range, Optional<BigDecimal> budget) {
        // The days before the report's, as many, and at least back to the first of the month before its last one,
        // which the month to date is drawn beside.
        LocalDate monthStart = range.last().withDayOfMonth(1).minusMonths(1);
        LocalDate previousStart = range.first().minusDays(range.size());
        DayRange span = DayRange.of(previousStart.isBefore(monthStart) ? previousStart : monthStart, range.last());
        Spend spend = new Spend(warehouse, organization);
        TreeSet<LocalDate> loaded = spend.loadedDays(span);
        ObjectNode cube = data.putObject("cube");
        cube.put("first_day", span.first().toString());
        ArrayNode loadedFlags = cube.putArray("loaded");
        span.days().forEach(day -> loadedFlags.add(loaded.contains(day)));

        String view = warehouse.dialect().table(FocusCost.VIEW);
        String start = column("ChargePeriodStart");
        String where = " WHERE " + column(FocusCost.ORGANIZATION) + " = @organization_id AND " + start + " >= @from AND "
                + start + " < @to";
        Map<String, Object> parameters = Map.of("organization_id", organization, "from", span.startInstant(), "to",
                span.endInstant());

        // First the names and what each spent, to choose the largest; then the lines, streamed into the cube.
        Names workspaces = new Names("Other workspaces");
        Names models = new Names("Other models");
        Names meters = new Names("Other");
        List<String> named = List.of("SubAccountId", "SubAccountName", "SkuId", "SkuMeter");
        String namedColumns = String.join(", ", named.stream().map(this::column).toList());
        warehouse.forEach("SELECT " + namedColumns + ", SUM(" + column("BilledCost") + ") AS billed FROM " + view
                + where + " GROUP BY " + namedColumns, parameters, row -> {
                    BigDecimal billed = row.decimal("billed");
                    workspaces.count(name(row.string("subaccountid"), "(none)"), name(row.string("subaccountname"),
                            "Not grouped by workspace"), billed);
                    models.count(name(row.string("skuid"), "(none)"), name(row.string("skuid"), "(none)"), billed);
                    meters.count(name(row.string("skumeter"), "(none)"), name(row.string("skumeter"), "(none)"), billed);
                });
        cube.set("workspaces", workspaces.list());
        cube.set("models", models.list());
        cube.set("meters", meters.list());

        // [day, workspace, model, meter, billed, list, savings], summed where the largest leave "Other", in key
        // order, so that every warehouse writes the same page whatever order its GROUP BY returns.
        Map<List<Integer>, BigDecimal[]> cells = new TreeMap<>(KEY_ORDER);
        // The report's spend and cache savings, and the spend of as many days before it.
        BigDecimal[] totals = {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
        // The models whose cache reads have no price in the catalog: left out of the savings, and named.
        java.util.Set<String> unpriced = new java.util.TreeSet<>();
        // SELECT "ChargePeriodStart", "SubAccountId", …, SUM("BilledCost"), SUM("ListCost"), SUM("PricingQuantity")
        //   FROM claude_focus_cost WHERE … GROUP BY …
        String grouped = namedColumns + ", " + String.join(", ", Stream.of("PricingUnit", "x_ServiceTier",
                "x_ContextWindow").map(this::column).toList());
        warehouse.forEach("SELECT " + start + " AS charge_start, " + grouped + ", SUM(" + column("BilledCost")
                + ") AS billed, SUM(" + column("ListCost") + ") AS list, SUM(" + column("PricingQuantity")
                + ") AS quantity FROM " + view + where + " GROUP BY " + start + ", " + grouped, parameters, row -> {
                    LocalDate day = LocalDate.ofInstant(row.timestamp("charge_start"), ZoneOffset.UTC);
                    BigDecimal billed = row.decimal("billed");
                    BigDecimal savings = BigDecimal.ZERO;
                    if ("cache_read_input_tokens".equals(row.string("skumeter"))
                            && "Tokens".equals(row.string("pricingunit"))) {
                        // What the cache reads would have cost as input, less what they cost as cache reads, at
                        // the model's list prices.
                        long tokens = row.decimal("quantity").longValueExact();
                        String model = row.string("skuid");
                        String tier = row.string("x_servicetier");
                        String window = row.string("x_contextwindow");
                        if (!prices.isPriced(model)) {
                            unpriced.add(String.valueOf(model));
                        }
                        savings = prices.estimate(model, tier, window, null, new PriceTable.Tokens(tokens, 0, 0, 0, 0))
                                .flatMap(asInput -> prices.estimate(model, tier, window, null,
                                        new PriceTable.Tokens(0, 0, 0, tokens, 0))
                                        .map(asCacheRead -> asInput.low().subtract(asCacheRead.low())))
                                .orElse(BigDecimal.ZERO);
                    }
                    List<Integer> key = List.of((int) ChronoUnit.DAYS.between(span.first(), day),
                            workspaces.index(name(row.string("subaccountid"), "(none)")),
                            models.index(name(row.string("skuid"), "(none)")),
                            meters.index(name(row.string("skumeter"), "(none)")));
                    BigDecimal[] sums = cells.computeIfAbsent(key, k -> new BigDecimal[] {BigDecimal.ZERO,
                        BigDecimal.ZERO, BigDecimal.ZERO});
                    sums[0] = sums[0].add(billed);
                    sums[1] = sums[1].add(row.decimal("list"));
                    sums[2] = sums[2].add(savings);
                    if (range.contains(day)) {
                        totals[0] = totals[0].add(billed);
                        totals[1] = totals[1].add(savings);
                    } else if (!day.isBefore(previousStart)) {
                        totals[2] = totals[2].add(billed);
                    }
                });
        tokensByWorkspace(cube, organization, span, workspaces);
        ArrayNode rows = cube.putArray("rows");
        cells.forEach((key, sums) -> {
            ArrayNode row = rows.addArray();
            key.forEach(row::add);
            for (BigDecimal sum : sums) {
                row.add(sum.doubleValue());
            }
        });
        ObjectNode tiles = data.putObject("tiles");
        tiles.put("spend_usd", Cents.plain(totals[0]));
        tiles.put("cache_savings_usd", Cents.plain(totals[1]));
        unpriced.forEach(tiles.putArray("cache_savings_unpriced")::add);
        tiles.put("previous_spend_usd", Cents.plain(totals[2]));

        month(data.putObject("month"), spend, loaded, range, budget);
        months(data, organization);
        attributed(data, organization, range);
    }

    /**
     * {@code tokens}: [day of the cube, workspace, tokens] from the usage report, whose null workspace is the
     * default one (by its real id where the cube names it so).
     */
    private void tokensByWorkspace(ObjectNode cube, String organization, DayRange span, Names workspaces) {
        String defaultId = DefaultWorkspace.realIds(warehouse, organization).stream().filter(workspaces::names).findFirst().orElse("default");
        Map<List<Integer>, BigDecimal> tokens = new TreeMap<>(KEY_ORDER);
        warehouse.forEach("SELECT activity_date, workspace_id, SUM(uncached_input_tokens"
                + " + cache_creation_5m_input_tokens + cache_creation_1h_input_tokens + cache_read_input_tokens"
                + " + output_tokens) AS tokens FROM claude_usage WHERE organization_id = @organization_id"
                + " AND activity_date BETWEEN @first_day AND @last_day"
                + " GROUP BY activity_date, workspace_id", Map.of("organization_id", organization, "first_day",
                        span.first(), "last_day", span.last()), row -> {
                            String id = row.string("workspace_id") == null ? defaultId : row.string("workspace_id");
                            tokens.merge(List.of((int) ChronoUnit.DAYS.between(span.first(), row.date("activity_date")),
                                    workspaces.index(id)), row.decimal("tokens"), BigDecimal::add);
                        });
        ArrayNode rows = cube.putArray("tokens");
        tokens.forEach((key, sum) -> rows.addArray().add(key.get(0)).add(key.get(1)).add(sum.doubleValue()));
    }

    /**
     * {@code months}: [first day, billed, every day loaded] per calendar month the organization has cost for, from
     * the FOCUS view (each day from one cost report), for the month-by-month table.
     */
    private void months(ObjectNode data, String organization) {
        String period = column("BillingPeriodStart");
        TreeMap<LocalDate, BigDecimal> billed = new TreeMap<>();
        warehouse.forEach("SELECT " + period + " AS month, SUM(" + column("BilledCost") + ") AS billed FROM "
                + warehouse.dialect().table(FocusCost.VIEW) + " WHERE " + column(FocusCost.ORGANIZATION)
                + " = @organization_id GROUP BY " + period, Map.of("organization_id", organization),
                row -> billed.put(LocalDate.ofInstant(row.timestamp("month"), ZoneOffset.UTC), row.decimal("billed")));
        ArrayNode rows = data.putArray("months");
        if (billed.isEmpty()) {
            return;
        }
        Spend spend = new Spend(warehouse, organization);
        TreeSet<LocalDate> loaded = spend.loadedDays(DayRange.of(billed.firstKey(),
                billed.lastKey().plusMonths(1).minusDays(1)));
        billed.forEach((month, sum) -> rows.addArray().add(month.toString()).add(Cents.plain(sum))
                .add(loaded.subSet(month, month.plusMonths(1)).size() == month.lengthOfMonth()));
    }

    /** The month of the report's last day: spent through its latest loaded day, the forecast, the budget. */
    private void month(ObjectNode month, Spend spend, TreeSet<LocalDate> loaded, DayRange range,
            Optional<BigDecimal> budget) {
        LocalDate first = range.last().withDayOfMonth(1);
        month.put("start", first.toString());
        month.put("days", first.lengthOfMonth());
        budget.ifPresent(b -> month.put("budget_usd", Cents.plain(b)));
        LocalDate through = loaded.floor(range.last());
        if (through == null || through.isBefore(first)) {
            return;
        }
        BigDecimal spent = spend.total(DayRange.of(first, through));
        month.put("through", through.toString());
        month.put("spent_usd", Cents.plain(spent));
        // A line through fewer days than a week says more about the weekday than the month.
        if (through.getDayOfMonth() >= FORECAST_FROM_DAY) {
            month.put("forecast_usd", Cents.plain(Spend.forecast(spent, through)));
        }
    }

    /**
     * Billed cost per person, per API key or other workload, and per product, per day of the report, where it is
     * attributed; and the API keys by billed cost over the report's days, with their tokens.
     */
    private void attributed(ObjectNode data, String organization, DayRange range) {
        boolean loaded = !warehouse.coveredDays(ReportKind.ANALYTICS_COST, organization, range).isEmpty();
        Map<String, Object> parameters = Map.of("organization_id", organization, "first_day", range.first(),
                "last_day", range.last());
        String between = " WHERE organization_id = @organization_id AND activity_date BETWEEN @first_day AND @last_day";
        // People apart from the keys, service accounts and cloud identities that spend on no one's behalf: the API
        // attributes what a key spent for a person to that person.
        actors(data.putObject("people"), loaded, parameters, range, "actor_type = 'user_actor'", "Everyone else");
        actors(data.putObject("workloads"), loaded, parameters, range, "(actor_type IS NULL OR actor_type <>"
                + " 'user_actor')", "Other keys and workloads");
        ObjectNode products = data.putObject("products");
        products.put("loaded", loaded);
        ArrayNode productRows = products.putArray("rows");
        List<LocalDate> days = range.days().toList();
        Map<List<String>, BigDecimal> byProduct = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        warehouse.forEach("SELECT activity_date, product_name, SUM(billed_usd) AS billed FROM"
                + " claude_billed_cost_by_product" + between + " GROUP BY activity_date, product_name", parameters,
                row -> byProduct.merge(List.of(String.format("%05d", days.indexOf(row.date("activity_date"))),
                        name(row.string("product_name"), "(none)")), row.decimal("billed"), BigDecimal::add));
        byProduct.forEach((key, billed) -> productRows.addArray().add(Integer.parseInt(key.get(0))).add(key.get(1))
                .add(billed.doubleValue()));
        keys(data.putObject("keys"), loaded, parameters);
    }

    /**
     * Billed cost per actor of those {@code which} selects, each row [day of the report, name, billed]: the
     * {@value #LARGEST} largest by name (a person with the e-mail address the warehouse still holds), the rest as
     * {@code rest}.
     */
    private void actors(ObjectNode actors, boolean loaded, Map<String, Object> parameters, DayRange range,
            String which, String rest) {
        String where = " WHERE organization_id = @organization_id AND activity_date BETWEEN @first_day AND @last_day"
                + " AND " + which;
        List<LocalDate> days = range.days().toList();
        actors.put("loaded", loaded);
        List<String> largest = warehouse.read("SELECT actor_id, SUM(billed_usd) AS billed FROM"
                + " claude_billed_cost_by_actor" + where + " GROUP BY actor_id ORDER BY billed DESC, actor_id LIMIT "
                + LARGEST, parameters, row -> String.valueOf(row.string("actor_id")));
        Map<List<String>, BigDecimal> byActor = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        warehouse.forEach("SELECT activity_date, actor_id, actor_name, actor_email, SUM(billed_usd) AS billed FROM"
                + " claude_billed_cost_by_actor" + where + " GROUP BY activity_date, actor_id, actor_name, actor_email",
                parameters, row -> {
                    String name = name(row.string("actor_name"), "Unattributed");
                    String email = row.string("actor_email");
                    String shown = email == null || email.equals(name) ? name : name + " (" + email + ")";
                    byActor.merge(List.of(String.format("%05d", days.indexOf(row.date("activity_date"))),
                            largest.contains(String.valueOf(row.string("actor_id"))) ? shown : rest),
                            row.decimal("billed"), BigDecimal::add);
                });
        ArrayNode rows = actors.putArray("rows");
        byActor.forEach((key, billed) -> rows.addArray().add(Integer.parseInt(key.get(0))).add(key.get(1))
                .add(billed.doubleValue()));
    }

    /**
     * {@code keys}: the API keys by billed cost over the report's days (where the analytics cost is loaded; else by
     * tokens), each [name, billed or null, tokens], the largest {@value #LARGEST}.
     */
    private void keys(ObjectNode keys, boolean billedLoaded, Map<String, Object> parameters) {
        String between = " WHERE organization_id = @organization_id AND activity_date BETWEEN @first_day AND @last_day";
        Map<String, BigDecimal> tokens = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        warehouse.forEach("SELECT api_key_id, api_key_name, SUM(uncached_input_tokens + cache_write_tokens"
                + " + cache_read_tokens + output_tokens) AS tokens FROM claude_tokens_daily" + between
                + " GROUP BY api_key_id, api_key_name", parameters, row -> {
                    String id = String.valueOf(row.string("api_key_id"));
                    tokens.merge(id, row.decimal("tokens"), BigDecimal::add);
                    names.putIfAbsent(id, name(row.string("api_key_name"), "Console"));
                });
        Map<String, BigDecimal> billed = new HashMap<>();
        if (billedLoaded) {
            warehouse.forEach("SELECT api_key_id, api_key_name, SUM(billed_usd) AS billed FROM"
                    + " claude_billed_cost_by_api_key" + between + " GROUP BY api_key_id, api_key_name", parameters,
                    row -> {
                        String id = String.valueOf(row.string("api_key_id"));
                        billed.merge(id, row.decimal("billed"), BigDecimal::add);
                        names.putIfAbsent(id, name(row.string("api_key_name"), "Console"));
                    });
        }
        keys.put("billed", billedLoaded);
        List<String> ids = new ArrayList<>(names.keySet());
        ids.sort(Comparator.comparing((String id) -> billed.getOrDefault(id, BigDecimal.ZERO)).reversed()
                .thenComparing(Comparator.comparing((String id) -> tokens.getOrDefault(id, BigDecimal.ZERO)).reversed())
                .thenComparing(id -> names.get(id)));
        ArrayNode rows = keys.putArray("rows");
        ids.stream().limit(LARGEST).forEach(id -> {
            ArrayNode row = rows.addArray().add(names.get(id));
            if (billedLoaded) {
                row.add(billed.getOrDefault(id, BigDecimal.ZERO).doubleValue());
            } else {
                row.addNull();
            }
            row.add(tokens.getOrDefault(id, BigDecimal.ZERO).doubleValue());
        });
    }

    private String column(String name) {
        return warehouse.dialect().column(name);
    }

    private static String name(String value, String fallback) {
        return value == null ? fallback : value;
    }

    /** Ids by billed cost, the largest {@value #LARGEST} named and the rest as one. */
    private final class Names {
        private final String other;
        private final Map<String, String> names = new HashMap<>();
        private final Map<String, BigDecimal> billed = new HashMap<>();
        private Map<String, Integer> indexes;

        Names(String other) {
            this.other = other;
        }

        /** Counts {@code cost} for {@code id}; an id named differently over time keeps the first name in order. */
        void count(String id, String name, BigDecimal cost) {
            names.merge(id, name, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            billed.merge(id, cost, BigDecimal::add);
        }

        ArrayNode list() {
            List<String> ids = new ArrayList<>(names.keySet());
            ids.sort(Comparator.comparing((String id) -> billed.get(id)).reversed().thenComparing(id -> id));
            indexes = new HashMap<>();
            ArrayNode list = json.arrayNode();
            for (String id : ids) {
                if (indexes.size() < LARGEST) {
                    indexes.put(id, indexes.size());
                    list.addObject().put("id", id).put("name", names.get(id));
                }
            }
            if (ids.size() > LARGEST) {
                list.addObject().put("id", "other").put("name", other);
            }
            return list;
        }

        int index(String id) {
            return indexes.getOrDefault(id, LARGEST);
        }

        /** Whether {@code id} spent anything in the cube's days. */
        boolean names(String id) {
            return names.containsKey(id);
        }
    }
}
