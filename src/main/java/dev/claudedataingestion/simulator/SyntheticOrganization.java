package dev.claudedataingestion.simulator;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deterministic organization for the simulator: workspaces, API keys, users and models, and for any UTC day
 * its usage, costs and Claude Code records, computed from the seed, the day and the day's revision. Nothing is
 * stored, so an organization of any size and history costs no memory; tests read their expected totals here.
 */
public final class SyntheticOrganization {

    /**
     * The size of the organization.
     *
     * @param tiers          service tiers in use, of standard, batch, priority and flex (1 to 4)
     * @param contextWindows context windows in use, of 0-200k and 200k-1M (1 or 2)
     */
    public record Size(int workspaces, int apiKeys, int models, int users, int tiers, int contextWindows) {
        public static final Size DEMO = new Size(4, 12, 4, 20);

        public Size(int workspaces, int apiKeys, int models, int users) {
            this(workspaces, apiKeys, models, users, 3, 2);
        }

        public Size {
            if (workspaces < 0 || apiKeys < 0 || models < 1 || users < 0 || tiers < 1 || tiers > 4
                    || contextWindows < 1 || contextWindows > 2) {
                throw new IllegalArgumentException("sizes must be positive, tiers 1 to 4 and context windows 1 or 2: "
                        + this);
            }
        }
    }

    public record Workspace(String id, String name, Instant createdAt, Instant archivedAt) {
    }

    /** {@code workspaceId} null is the default workspace. */
    public record ApiKey(String id, String name, String workspaceId, Instant createdAt, String status) {
    }

    public record User(String id, String email, String name, String role, Instant addedAt) {
    }

    /** One fully-dimensioned usage tuple of a day. */
    public record UsageTuple(String apiKeyId, String workspaceId, String model, String serviceTier,
            String contextWindow, String inferenceGeo, String accountId, String serviceAccountId,
            long uncachedInputTokens, long cacheCreation5m, long cacheCreation1h, long cacheRead, long outputTokens,
            long webSearchRequests) {

        long[] measures() {
            return new long[] {uncachedInputTokens, cacheCreation5m, cacheCreation1h, cacheRead, outputTokens,
                webSearchRequests};
        }

        String dimension(String name) {
            return switch (name) {
                case "api_key_id" -> apiKeyId;
                case "workspace_id" -> workspaceId;
                case "model" -> model;
                case "service_tier" -> serviceTier;
                case "context_window" -> contextWindow;
                case "inference_geo" -> inferenceGeo;
                case "account_id" -> accountId;
                case "service_account_id" -> serviceAccountId;
                default -> throw new IllegalArgumentException(name);
            };
        }
    }

    /** One cost line of a day: a workspace and a description, with the fields the description determines. */
    public record CostLine(String workspaceId, String description, String costType, String model, String serviceTier,
            String contextWindow, String tokenType, String inferenceGeo, BigDecimal amountCents) {
    }

    public record ModelUsage(String model, long input, long output, long cacheRead, long cacheCreation,
            BigDecimal estimatedCostCents) {
    }

    /** One Claude Code record: an actor on a terminal on a day. */
    public record ClaudeCodeRecord(LocalDate day, String actorType, String email, String apiKeyName,
            String customerType, String subscriptionType, String terminalType, boolean remote, long sessions,
            long linesAdded, long linesRemoved, long commits, long pullRequests, Map<String, long[]> toolActions,
            List<ModelUsage> models) {
    }

    /** Today's models first, as organizations use them now; then older ones, which some still do. */
    private static final String[] MODEL_IDS = {"claude-opus-4-8", "claude-sonnet-4-5-20250929", "claude-opus-5-5",
        "claude-sonnet-5-5", "claude-haiku-4-5-20251001", "claude-opus-4-1-20250805", "claude-haiku-5-5",
        "claude-sonnet-4-20250514", "claude-3-5-haiku-20241022", "claude-opus-4-20250514"};
    private static final String[] TERMINALS = {"vscode", "iTerm.app", "Apple_Terminal", "cursor", "tmux"};
    private static final String[] KNOWN_TOOLS = {"edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool"};

    private final long seed;
    private final Size size;
    private final LocalDate firstActiveDay;
    private final String id;
    private final List<Workspace> workspaces = new ArrayList<>();
    private final List<ApiKey> apiKeys = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<User> users = new ArrayList<>();
    private final List<String> models = new ArrayList<>();
    private final Map<LocalDate, Integer> revisions = new ConcurrentHashMap<>();

    /**
     * @param firstActiveDay days before it have no usage (their buckets are empty)
     */
    public SyntheticOrganization(long seed, Size size, LocalDate firstActiveDay) {
        this.seed = seed;
        this.size = size;
        this.firstActiveDay = firstActiveDay;
        SplittableRandom random = new SplittableRandom(seed);
        this.id = new java.util.UUID(random.nextLong(), random.nextLong()).toString();
        Instant created = firstActiveDay.minusDays(30).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (int w = 0; w < size.workspaces(); w++) {
            boolean archived = size.workspaces() > 2 && w == size.workspaces() - 1;
            workspaces.add(new Workspace(ident("wrkspc_", random), "Workspace " + (w + 1), created,
                    archived ? created.plusSeconds(86_400L * 400) : null));
        }
        for (int k = 0; k < size.apiKeys(); k++) {
            // Every fifth key lives in the default workspace (workspace_id null in the reports).
            String workspace = workspaces.isEmpty() || k % 5 == 4 ? null : workspaces.get(k % workspaces.size()).id();
            apiKeys.add(new ApiKey(ident("apikey_", random), "key-" + (k + 1), workspace, created,
                    k % 7 == 6 ? "inactive" : "active"));
        }
        for (int u = 0; u < size.users(); u++) {
            users.add(new User(ident("user_", random), "user" + (u + 1) + "@example.com", "User " + (u + 1),
                    u == 0 ? "admin" : "developer", created));
        }
        for (int m = 0; m < size.models(); m++) {
            models.add(m < MODEL_IDS.length ? MODEL_IDS[m] : "claude-synthetic-" + (m + 1));
        }
    }

    private static String ident(String prefix, SplittableRandom random) {
        String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnopqrstuvwxyz";
        StringBuilder text = new StringBuilder(prefix).append("01");
        for (int i = 0; i < 22; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    public String id() {
        return id;
    }

    /** The default workspace's real id, which the older reports show as null and the analytics API names. */
    public String defaultWorkspaceId() {
        return "wrkspc_01" + id.replace("-", "").substring(0, 22).toUpperCase(java.util.Locale.ROOT);
    }

    public String name() {
        return "Synthetic Organization " + Long.toHexString(seed);
    }

    public List<Workspace> workspaces() {
        return List.copyOf(workspaces);
    }

    public List<ApiKey> apiKeys() {
        return List.copyOf(apiKeys);
    }

    /** The organization's members; a former member's usage is still reported, by its user id. */
    public List<User> users() {
        return users.stream().filter(user -> !isFormerMember(user)).toList();
    }

    /** Members and the former member. */
    List<User> everyone() {
        return List.copyOf(users);
    }

    /** In an organization of three users or more, the last has left it: the analytics API reports it as deleted. */
    boolean isFormerMember(User user) {
        return users.size() >= 3 && user == users.get(users.size() - 1);
    }

    /** The service account that uses {@code apiKeyId}, if one does: every fourth key, from the second. */
    static String serviceAccount(List<ApiKey> keys, String apiKeyId) {
        for (int k = 1; k < keys.size(); k += 4) {
            if (keys.get(k).id().equals(apiKeyId)) {
                return "svcacct_" + apiKeyId.substring("apikey_".length());
            }
        }
        return null;
    }

    /** Renames an API key, as an admin does in the Console; its usage keeps its id. */
    public void renameApiKey(String id, String name) {
        for (int i = 0; i < apiKeys.size(); i++) {
            ApiKey key = apiKeys.get(i);
            if (key.id().equals(id)) {
                apiKeys.set(i, new ApiKey(key.id(), name, key.workspaceId(), key.createdAt(), key.status()));
                return;
            }
        }
        throw new IllegalArgumentException("no API key " + id);
    }

    /** Changes the numbers of {@code day}, as Anthropic does when late data arrives for a recent day. */
    public void revise(LocalDate day) {
        revisions.merge(day, 1, Integer::sum);
    }

    /** How many times {@code day} has been revised. */
    int revision(LocalDate day) {
        return revisions.getOrDefault(day, 0);
    }

    private SplittableRandom random(LocalDate day, long stream) {
        long mix = seed * 0x9E3779B97F4A7C15L + day.toEpochDay() * 0xBF58476D1CE4E5B9L
                + revisions.getOrDefault(day, 0) * 0x94D049BB133111EBL + stream;
        return new SplittableRandom(mix);
    }

    /** Every usage tuple of {@code day}, fully dimensioned. Empty before the first active day. */
    public List<UsageTuple> usage(LocalDate day) {
        List<UsageTuple> tuples = new ArrayList<>();
        if (day.isBefore(firstActiveDay)) {
            return tuples;
        }
        SplittableRandom random = random(day, 1);
        boolean weekend = day.getDayOfWeek().getValue() >= 6;
        // A large organization's keys are each used with few of its models: about 3,000 tuples a weekday at most.
        double sparsity = Math.min(1.0, 3000.0 / Math.max(1, apiKeys.size() * models.size()));
        double activity = (weekend ? 0.25 : 0.6) * sparsity;
        for (ApiKey key : apiKeys) {
            if (!"active".equals(key.status())) {
                continue;
            }
            for (String model : models) {
                if (random.nextDouble() >= activity) {
                    continue;
                }
                double tierDraw = random.nextDouble();
                String tier = tierDraw < 0.8 || size.tiers() == 1 ? "standard"
                        : tierDraw < 0.95 || size.tiers() == 2 ? "batch"
                        : tierDraw < 0.98 || size.tiers() == 3 ? "priority" : "flex";
                String context = random.nextDouble() < 0.9 || size.contextWindows() == 1 ? "0-200k" : "200k-1M";
                String geo = random.nextDouble() < 0.85 ? "global" : "us";
                tuples.add(tuple(random, key.id(), key.workspaceId(), model, tier, context, geo, null,
                        serviceAccount(apiKeys, key.id())));
            }
        }
        // Console (Workbench) usage: no API key, made by a user's account in the default workspace.
        for (User user : users) {
            if (random.nextDouble() < 0.1) {
                tuples.add(tuple(random, null, null, models.get(random.nextInt(models.size())), "standard", "0-200k",
                        "global", user.id(), null));
            }
        }
        return tuples;
    }

    private static UsageTuple tuple(SplittableRandom random, String key, String workspace, String model, String tier,
            String context, String geo, String account, String serviceAccount) {
        long input = 1_000 + random.nextLong(2_000_000);
        return new UsageTuple(key, workspace, model, tier, context, geo, account, serviceAccount, input,
                random.nextLong(input / 4 + 1), random.nextDouble() < 0.3 ? random.nextLong(input / 8 + 1) : 0,
                random.nextLong(input * 2 + 1), 100 + random.nextLong(input / 3 + 1),
                random.nextDouble() < 0.1 ? random.nextLong(50) : 0);
    }

    /**
     * One priced part of a day's usage: a tuple's tokens of one type, its web searches, or a workspace's code
     * execution (no tuple). {@code listCents} is the published price, {@code amountCents} what is billed: a fifth
     * less for the Opus models, which the organization has a discount on.
     */
    public record AttributedCost(UsageTuple tuple, String workspaceId, String description, String costType,
            String model, String serviceTier, String contextWindow, String tokenType, String inferenceGeo,
            BigDecimal amountCents, BigDecimal listCents) {
    }

    /**
     * The cost lines of {@code day}: its usage priced per token (Priority Tier is never in the cost report),
     * web searches, and code execution, which appears only in cost. Amounts are exact cents with fractions. They
     * are the day's {@link #attributedCosts} summed by workspace and description, so that the two cost reports agree.
     */
    public List<CostLine> costs(LocalDate day) {
        Map<String, CostLine> lines = new LinkedHashMap<>();
        for (AttributedCost cost : attributedCosts(day)) {
            add(lines, new CostLine(cost.workspaceId(), cost.description(), cost.costType(), cost.model(),
                    cost.serviceTier(), cost.contextWindow(), cost.tokenType(), cost.inferenceGeo(),
                    cost.amountCents()));
        }
        return new ArrayList<>(lines.values());
    }

    /** The priced parts of {@code day}'s usage, each with the tuple it comes from: what the analytics cost report sums. */
    public List<AttributedCost> attributedCosts(LocalDate day) {
        List<AttributedCost> costs = new ArrayList<>();
        for (UsageTuple tuple : usage(day)) {
            if ("priority".equals(tuple.serviceTier())) {
                continue;
            }
            // Anthropic's published prices per model; Batch half; the long context window doubles input-side prices
            // and adds half to output; US-only inference a tenth more.
            BigDecimal[] price = centsPerMillion(tuple.model());
            BigDecimal inputSide = BigDecimal.ONE;
            BigDecimal outputSide = BigDecimal.ONE;
            if ("batch".equals(tuple.serviceTier())) {
                inputSide = inputSide.multiply(new BigDecimal("0.5"));
                outputSide = outputSide.multiply(new BigDecimal("0.5"));
            }
            if ("200k-1M".equals(tuple.contextWindow())) {
                inputSide = inputSide.multiply(BigDecimal.valueOf(2));
                outputSide = outputSide.multiply(new BigDecimal("1.5"));
            }
            if ("us".equals(tuple.inferenceGeo())) {
                inputSide = inputSide.multiply(new BigDecimal("1.1"));
                outputSide = outputSide.multiply(new BigDecimal("1.1"));
            }
            addTokens(costs, tuple, "uncached_input_tokens", "Input Tokens", tuple.uncachedInputTokens(),
                    price[0].multiply(inputSide));
            addTokens(costs, tuple, "output_tokens", "Output Tokens", tuple.outputTokens(), price[1].multiply(outputSide));
            addTokens(costs, tuple, "cache_creation.ephemeral_5m_input_tokens", "Cache Write 5m",
                    tuple.cacheCreation5m(), price[2].multiply(inputSide));
            addTokens(costs, tuple, "cache_creation.ephemeral_1h_input_tokens", "Cache Write 1h",
                    tuple.cacheCreation1h(), price[3].multiply(inputSide));
            addTokens(costs, tuple, "cache_read_input_tokens", "Cache Read", tuple.cacheRead(),
                    price[4].multiply(inputSide));
            if (tuple.webSearchRequests() > 0) {
                BigDecimal cents = BigDecimal.valueOf(tuple.webSearchRequests());
                costs.add(new AttributedCost(tuple, tuple.workspaceId(), "Web Search Usage", "web_search", null, null,
                        null, null, null, cents, cents));
            }
        }
        SplittableRandom random = random(day, 2);
        for (Workspace workspace : workspaces) {
            if (!day.isBefore(firstActiveDay) && random.nextDouble() < 0.2) {
                BigDecimal hours = BigDecimal.valueOf(random.nextLong(1, 500_000)).movePointLeft(4);
                BigDecimal cents = hours.multiply(new BigDecimal("5"));
                // Two sessions of containers, neither attributable to anyone.
                BigDecimal first = cents.multiply(new BigDecimal("0.4"));
                for (BigDecimal session : List.of(first, cents.subtract(first))) {
                    costs.add(new AttributedCost(null, workspace.id(), "Code Execution Usage", "code_execution", null,
                            null, null, null, null, session, session));
                }
            }
        }
        return costs;
    }

    private void addTokens(List<AttributedCost> costs, UsageTuple tuple, String tokenType, String label, long tokens,
            BigDecimal centsPerMillion) {
        if (tokens == 0) {
            return;
        }
        StringBuilder description = new StringBuilder(displayName(tuple.model())).append(" Usage - ").append(label);
        if (!"standard".equals(tuple.serviceTier())) {
            description.append(" (").append(capitalize(tuple.serviceTier())).append(')');
        }
        if ("200k-1M".equals(tuple.contextWindow())) {
            description.append(" (Long Context)");
        }
        if (!"global".equals(tuple.inferenceGeo())) {
            description.append(" (").append(tuple.inferenceGeo().toUpperCase(Locale.ROOT)).append(')');
        }
        BigDecimal list = centsPerMillion.multiply(BigDecimal.valueOf(tokens)).movePointLeft(6);
        BigDecimal billed = tuple.model().contains("opus") ? list.multiply(OPUS_DISCOUNT) : list;
        costs.add(new AttributedCost(tuple, tuple.workspaceId(), description.toString(), "tokens", tuple.model(),
                tuple.serviceTier(), tuple.contextWindow(), tokenType, tuple.inferenceGeo(), billed, list));
    }

    private static void add(Map<String, CostLine> lines, CostLine line) {
        lines.merge(line.workspaceId() + "|" + line.description(), line, (a, b) -> new CostLine(a.workspaceId(),
                a.description(), a.costType(), a.model(), a.serviceTier(), a.contextWindow(), a.tokenType(),
                a.inferenceGeo(), a.amountCents().add(b.amountCents())));
    }

    /** The organization has negotiated a fifth off the Opus models' list prices. */
    private static final BigDecimal OPUS_DISCOUNT = new BigDecimal("0.8");

    /**
     * Anthropic's published list prices in cents per million tokens (input, output, cache write 5m and 1h, cache
     * read), as its model catalog gives them; the simulator's own copy, so that the checks compare the project's
     * price catalog with something it did not write. Haiku 5.5 is billed at its price up to 100k prompt tokens; a
     * synthetic model at Sonnet's.
     */
    private static final Map<String, BigDecimal[]> LIST_PRICES = Map.of(
            "claude-opus-4-8", cents("500", "2500", "625", "1000", "50"),
            "claude-opus-5-5", cents("400", "2000", "500", "800", "20"),
            "claude-sonnet-5-5", cents("200", "1000", "250", "400", "10"),
            "claude-haiku-4-5", cents("100", "500", "125", "200", "10"),
            "claude-haiku-5-5", cents("10", "50", "12.5", "20", "1"),
            "claude-opus-4-1", cents("1500", "7500", "1875", "3000", "150"),
            "claude-opus-4", cents("1500", "7500", "1875", "3000", "150"),
            "claude-3-5-haiku", cents("80", "400", "100", "160", "8"));
    private static final BigDecimal[] SONNET = cents("300", "1500", "375", "600", "30");

    private static BigDecimal[] cents(String... prices) {
        return java.util.Arrays.stream(prices).map(BigDecimal::new).toArray(BigDecimal[]::new);
    }

    /** A model's list prices, by its id without a first-party date. */
    private static BigDecimal[] centsPerMillion(String model) {
        return LIST_PRICES.getOrDefault(model.replaceFirst("-\\d{8}$", ""), SONNET);
    }

    private static String displayName(String model) {
        String[] parts = model.split("-");
        StringBuilder name = new StringBuilder();
        for (String part : parts) {
            if (part.length() == 8 && part.chars().allMatch(Character::isDigit)) {
                break;
            }
            name.append(name.length() == 0 ? "" : " ").append(capitalize(part));
        }
        return name.toString();
    }

    private static String capitalize(String word) {
        return word.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    /** The Claude Code records of {@code day}: active users (some on two terminals) and a few API actors. */
    public List<ClaudeCodeRecord> claudeCode(LocalDate day) {
        List<ClaudeCodeRecord> records = new ArrayList<>();
        if (day.isBefore(firstActiveDay)) {
            return records;
        }
        SplittableRandom random = random(day, 3);
        for (User user : users) {
            if (random.nextDouble() >= 0.5) {
                continue;
            }
            String terminal = TERMINALS[random.nextInt(TERMINALS.length)];
            records.add(claudeCodeRecord(random, day, "user_actor", user.email(), null, terminal, false));
            if (random.nextDouble() < 0.2) {
                records.add(claudeCodeRecord(random, day, "user_actor", user.email(), null, terminal, true));
            }
        }
        for (int k = 0; k < Math.min(2, apiKeys.size()); k++) {
            if (random.nextDouble() < 0.5) {
                records.add(claudeCodeRecord(random, day, "api_actor", null, apiKeys.get(k).name(), "ci", false));
            }
        }
        return records;
    }

    private ClaudeCodeRecord claudeCodeRecord(SplittableRandom random, LocalDate day, String actorType, String email,
            String keyName, String terminal, boolean remote) {
        Map<String, long[]> tools = new LinkedHashMap<>();
        for (String tool : KNOWN_TOOLS) {
            if (random.nextDouble() < 0.7) {
                long accepted = random.nextLong(60);
                tools.put(tool, new long[] {accepted, random.nextLong(accepted / 4 + 2)});
            }
        }
        if (random.nextDouble() < 0.1) {
            // A tool this pipeline has no column for: it must be kept in tool_actions all the same.
            tools.put("future_tool", new long[] {random.nextLong(10), random.nextLong(3)});
        }
        List<ModelUsage> usage = new ArrayList<>();
        int modelCount = 1 + random.nextInt(Math.min(2, models.size()));
        int firstModel = random.nextInt(models.size());
        for (int m = 0; m < modelCount; m++) {
            long input = random.nextLong(10_000, 500_000);
            long output = random.nextLong(input / 2);
            // Whole cents mostly, as the documentation shows; a quarter cent now and then to keep them exact.
            BigDecimal cost = BigDecimal.valueOf(input / 2_000 + output / 400);
            if (random.nextDouble() < 0.2) {
                cost = cost.add(new BigDecimal("0.25"));
            }
            usage.add(new ModelUsage(models.get((firstModel + m) % models.size()), input, output,
                    random.nextLong(input), random.nextLong(input / 10 + 1), cost));
        }
        long sessions = 1 + random.nextLong(20);
        return new ClaudeCodeRecord(day, actorType, email, keyName, "api", null, terminal, remote, sessions,
                random.nextLong(1_000), random.nextLong(400), random.nextLong(10), random.nextLong(3), tools, usage);
    }
}
