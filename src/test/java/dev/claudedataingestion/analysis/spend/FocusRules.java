package dev.claudedataingestion.analysis.spend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The column rules of the FOCUS 1.2 specification that a cost-and-usage file of usage charges must keep, checked on
 * an exported CSV file, and a reader of such files (RFC 4180; an empty unquoted field is null).
 */
final class FocusRules {

    /** Columns FOCUS 1.2 requires in every dataset, each non-null on a usage row that is not a correction. */
    static final List<String> MANDATORY = List.of("BilledCost", "BillingAccountId", "BillingAccountName",
            "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeDescription",
            "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
            "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName");

    /** Present because usage is measured, and then non-null on a usage row. */
    static final List<String> CONSUMED = List.of("ConsumedQuantity", "ConsumedUnit");

    /**
     * Conditional columns whose condition holds for Anthropic's bill: more than one kind of billing account (Console
     * organizations, Enterprise), published unit prices and negotiated ones, more than one pricing model (standard
     * and batch rates, priority), regions (US-only inference), resources with a type (API keys), sub accounts
     * (workspaces).
     */
    static final List<String> CONDITIONAL = List.of("BillingAccountType", "ContractedUnitPrice", "ListUnitPrice",
            "PricingCategory", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "SkuId",
            "SkuMeter", "SkuPriceId", "SubAccountId", "SubAccountName", "SubAccountType");

    static final Set<String> PRICING_CATEGORIES = Set.of("Standard", "Dynamic", "Committed", "Other");

    /** The places a unit price keeps: times PricingQuantity it is the cost within half a unit per unit of quantity. */
    private static final BigDecimal UNIT_PRICE_ROUNDING = new BigDecimal("0.5E-22");

    static final Set<String> CHARGE_CATEGORIES = Set.of("Usage", "Purchase", "Tax", "Credit", "Adjustment");
    static final Set<String> CHARGE_FREQUENCIES = Set.of("One-Time", "Recurring", "Usage-Based");
    static final Set<String> SERVICE_CATEGORIES = Set.of("AI and Machine Learning", "Analytics", "Business Applications",
            "Compute", "Databases", "Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
            "Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security", "Storage",
            "Web", "Other");

    private static final ObjectMapper JSON = new ObjectMapper();

    private FocusRules() {
    }

    /** A file's rows, each a map of column to value (null where the field is empty and unquoted). */
    record Table(List<String> columns, List<Map<String, String>> rows) {
    }

    static Table read(Path csv) throws IOException {
        List<List<String>> records = parse(Files.readString(csv, StandardCharsets.UTF_8));
        List<String> header = records.get(0);
        List<Map<String, String>> rows = new ArrayList<>();
        for (List<String> record : records.subList(1, records.size())) {
            assertThat(record).as("a row has as many fields as the header").hasSameSizeAs(header);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), record.get(i));
            }
            rows.add(row);
        }
        return new Table(header, rows);
    }

    /** RFC 4180 with CRLF line ends; a quoted empty field is the empty string, an unquoted one null. */
    private static List<List<String>> parse(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            String value;
            if (text.charAt(at) == '"') {
                StringBuilder quoted = new StringBuilder();
                at++;
                while (true) {
                    char c = text.charAt(at++);
                    if (c == '"' && at < text.length() && text.charAt(at) == '"') {
                        quoted.append('"');
                        at++;
                    } else if (c == '"') {
                        break;
                    } else {
                        quoted.append(c);
                    }
                }
                value = quoted.toString();
            } else {
                int end = at;
                while (end < text.length() && text.charAt(end) != ',' && text.charAt(end) != '\r') {
                    end++;
                }
                value = end == at ? null : text.substring(at, end);
                at = end;
            }
            record.add(value);
            if (text.startsWith("\r\n", at)) {
                records.add(record);
                record = new ArrayList<>();
                at += 2;
            } else {
                assertThat(text.charAt(at)).as("a field ends in a comma or CRLF").isEqualTo(',');
                at++;
            }
        }
        assertThat(record).as("the file ends with CRLF").isEmpty();
        return records;
    }

    /** Asserts every rule on every row of {@code table}. */
    static void check(Table table) {
        for (String column : table.columns()) {
            assertThat(column).as("a FOCUS column is PascalCase, a custom one starts with x_")
                    .matches("[A-Z][A-Za-z]+|x_[A-Z][A-Za-z]+");
        }
        assertThat(table.columns()).containsAll(MANDATORY).containsAll(CONSUMED).containsAll(CONDITIONAL)
                .doesNotHaveDuplicates();
        assertThat(table.rows()).isNotEmpty();
        for (Map<String, String> row : table.rows()) {
            String where = " of " + row;
            for (String column : MANDATORY) {
                assertThat(row.get(column)).as(column + " is mandatory" + where).isNotNull();
            }
            assertThat(row.get("ChargeCategory")).isIn(CHARGE_CATEGORIES);
            assertThat(row.get("ChargeClass")).as("not a correction").isNull();
            assertThat(row.get("ChargeFrequency")).isIn(CHARGE_FREQUENCIES);
            assertThat(row.get("ServiceCategory")).isIn(SERVICE_CATEGORIES);
            assertThat(row.get("BillingCurrency")).as("ISO 4217").matches("[A-Z]{3}");
            if (row.get("ChargeCategory").equals("Usage")) {
                for (String column : CONSUMED) {
                    assertThat(row.get(column)).as(column + " on usage" + where).isNotNull();
                }
                assertThat(new BigDecimal(row.get("ConsumedQuantity"))).as("ConsumedQuantity" + where).isPositive();
            }

            // Instants in UTC, the end exclusive: a charge covers one UTC day inside its billing month.
            Instant chargeStart = utc(row, "ChargePeriodStart");
            Instant chargeEnd = utc(row, "ChargePeriodEnd");
            Instant billingStart = utc(row, "BillingPeriodStart");
            Instant billingEnd = utc(row, "BillingPeriodEnd");
            assertThat(chargeEnd).as("ChargePeriodEnd" + where).isEqualTo(chargeStart.plus(1, ChronoUnit.DAYS));
            LocalDate day = LocalDate.ofInstant(chargeStart, ZoneOffset.UTC);
            assertThat(chargeStart).isEqualTo(day.atStartOfDay(ZoneOffset.UTC).toInstant());
            assertThat(billingStart).isEqualTo(day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            assertThat(billingEnd).isEqualTo(day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC)
                    .toInstant());

            // Money: decimal, not negative on usage; what was billed is what was contracted and effective, at most
            // the list price.
            BigDecimal billed = decimal(row, "BilledCost");
            assertThat(billed.signum()).as("BilledCost" + where).isNotNegative();
            assertThat(decimal(row, "ContractedCost")).isEqualByComparingTo(billed);
            assertThat(decimal(row, "EffectiveCost")).isEqualByComparingTo(billed);
            assertThat(decimal(row, "ListCost")).as("ListCost" + where).isGreaterThanOrEqualTo(billed);
            assertThat(decimal(row, "PricingQuantity")).as("PricingQuantity" + where).isPositive();

            // Unit prices (listunitprice.md, contractedunitprice.md): not null on usage that is not a correction,
            // not negative, and times PricingQuantity the cost.
            BigDecimal quantity = decimal(row, "PricingQuantity");
            for (String price : List.of("ListUnitPrice", "ContractedUnitPrice")) {
                BigDecimal unit = decimal(row, price);
                assertThat(unit.signum()).as(price + where).isNotNegative();
                BigDecimal cost = decimal(row, price.replace("UnitPrice", "Cost"));
                assertThat(unit.multiply(quantity).subtract(cost).abs()).as(price + " × PricingQuantity" + where)
                        .isLessThanOrEqualTo(UNIT_PRICE_ROUNDING.multiply(quantity));
            }
            // skupriceid.md: not null on usage, with one parent SkuId.
            assertThat(row.get("SkuPriceId")).as("SkuPriceId" + where).startsWith(row.get("SkuId") + "/");
            // pricingcategory.md: one of the allowed values, not null on usage.
            assertThat(row.get("PricingCategory")).as("PricingCategory" + where).isIn(PRICING_CATEGORIES);
            // billingaccounttype.md: not null where BillingAccountId is not.
            assertThat(row.get("BillingAccountType")).as("BillingAccountType" + where).isNotNull();
            // resourcetype.md, resourcename.md: a type and a name exactly where there is a resource id.
            boolean resource = row.get("ResourceId") != null;
            assertThat(row.get("ResourceType") != null).as("ResourceType" + where).isEqualTo(resource);
            assertThat(row.get("ResourceName") != null).as("ResourceName" + where).isEqualTo(resource);
            // regionname.md, subaccountname.md, subaccounttype.md: a name and type exactly where there is an id.
            assertThat(row.get("RegionName") != null).as("RegionName" + where).isEqualTo(row.get("RegionId") != null);
            boolean subAccount = row.get("SubAccountId") != null;
            assertThat(row.get("SubAccountName") != null).as("SubAccountName" + where).isEqualTo(subAccount);
            assertThat(row.get("SubAccountType") != null).as("SubAccountType" + where).isEqualTo(subAccount);

            String tags = row.get("Tags");
            if (tags != null) {
                JsonNode object = json(tags);
                assertThat(object.isObject()).as("Tags is a JSON object" + where).isTrue();
                object.properties().forEach(tag -> assertThat(tag.getValue().isTextual())
                        .as("tag " + tag.getKey() + where).isTrue());
            }
            assertThat(row.get("x_IsFinal")).isIn("true", "false");
        }
    }

    /** The sum of a money column, exact. */
    static BigDecimal sum(Table table, String column) {
        return table.rows().stream().map(row -> new BigDecimal(row.get(column))).reduce(BigDecimal.ZERO,
                BigDecimal::add);
    }

    private static Instant utc(Map<String, String> row, String column) {
        String value = row.get(column);
        assertThat(value).as(column + " is an ISO 8601 instant in UTC").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        return Instant.parse(value);
    }

    private static BigDecimal decimal(Map<String, String> row, String column) {
        return new BigDecimal(row.get(column));
    }

    private static JsonNode json(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
