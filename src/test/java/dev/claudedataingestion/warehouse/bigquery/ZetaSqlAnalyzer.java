package dev.claudedataingestion.warehouse.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.zetasql.Analyzer;
import com.google.zetasql.AnalyzerOptions;
import com.google.zetasql.LanguageOptions;
import com.google.zetasql.ParseResumeLocation;
import com.google.zetasql.SimpleCatalog;
import com.google.zetasql.SimpleColumn;
import com.google.zetasql.SimpleTable;
import com.google.zetasql.SqlException;
import com.google.zetasql.Type;
import com.google.zetasql.TypeFactory;
import com.google.zetasql.ZetaSQLBuiltinFunctionOptions;
import com.google.zetasql.ZetaSQLOptions.ProductMode;
import com.google.zetasql.ZetaSQLType.TypeKind;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedColumnDefinition;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedCreateTableStmtBase;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedCreateViewBase;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedOutputColumn;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BigQuery's own SQL front end, ZetaSQL, over what the {@link BigQueryFake} receives: each statement of a query or
 * script is parsed and analyzed against a catalog of the tables and views created so far, with its query
 * parameters typed as the client sent them, and refused with the analyzer's own message (BigQuery's wording) where
 * BigQuery would refuse it. A table or view a statement creates joins the catalog, so that a script may use it.
 */
final class ZetaSqlAnalyzer {

    /** A table or view as the catalog knows it: its full name ({@code project.dataset.table}) and its columns. */
    record Relation(String project, String dataset, String name, Map<String, Type> columns) {

        String path() {
            return project + "." + dataset + "." + name;
        }
    }

    /** The analyzer refused a statement: its message, with the line and column it names. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * The analyzer's embedded gRPC says at its first use that it found no name resolvers, which it does not need
     * (it talks to its native library in-process): kept referenced, so that the level holds.
     */
    private static final java.util.logging.Logger GRPC_REGISTRY = quiet("com.google.zetasql.io.grpc.NameResolverRegistry");

    private static final LanguageOptions LANGUAGE = language();

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }

    /**
     * What the analyzers of this JVM accepted, by catalog, default dataset, parameters and text, with the relations
     * each created: the tests send the same statements against the same catalogs many times over (every test's
     * warehouse creates the same tables and views in the same order), and one analysis answers for all of them.
     */
    private static final Map<String, List<Relation>> ACCEPTED = new java.util.concurrent.ConcurrentHashMap<>();

    private final Map<String, Relation> relations = new LinkedHashMap<>();
    /** A digest of {@link #relations}, or null when they changed since it was taken. */
    private String fingerprint;
    /**
     * The catalog, made at the first statement not accepted before (its built-in functions take tens of
     * milliseconds), then changed as the relations are, and registered with the native analyzer until the next
     * change, so that each statement does not send it again.
     */
    private SimpleCatalog catalog;
    private boolean registered;
    /** The dataset whose relations the catalog also holds by their bare names, or null. */
    private String bareDataset;

    private static LanguageOptions language() {
        LanguageOptions options = new LanguageOptions().enableMaximumLanguageFeatures();
        options.setSupportsAllStatementKinds();
        // BigQuery's names for types (FLOAT64, not DOUBLE) and its external product mode.
        options.setProductMode(ProductMode.PRODUCT_EXTERNAL);
        return options;
    }

    /** Adds or replaces a table or view. */
    synchronized void put(Relation relation) {
        remove(relation.project(), relation.dataset(), relation.name());
        relations.put(relation.path(), relation);
        fingerprint = null;
        if (catalog != null) {
            unregister();
            names(relation).forEach(name -> catalog.addSimpleTable(name, table(name, relation)));
        }
    }

    synchronized void remove(String project, String dataset, String name) {
        Relation removed = relations.remove(project + "." + dataset + "." + name);
        fingerprint = null;
        if (removed != null && catalog != null) {
            unregister();
            names(removed).forEach(catalog::removeSimpleTable);
        }
    }

    /** Releases the catalog the native analyzer holds. */
    synchronized void close() {
        unregister();
    }

    private void unregister() {
        if (registered) {
            catalog.unregister();
            registered = false;
        }
    }

    /**
     * Analyzes {@code sql}, one statement or a script, with {@code parameters} (name to type) declared and, for names
     * without a dataset, {@code defaultDataset}; the tables and views a statement of it creates join the catalog.
     *
     * @throws Refused with the analyzer's message where BigQuery's front end would refuse the SQL
     */
    synchronized void analyze(String sql, Map<String, Type> parameters, String project, String defaultDataset) {
        StringBuilder key = new StringBuilder(fingerprint()).append('\n').append(defaultDataset).append('\n');
        parameters.forEach((name, type) -> key.append(name).append(' ').append(sqlName(type)).append('\n'));
        List<Relation> accepted = ACCEPTED.get(key.append(sql).toString());
        if (accepted != null) {
            accepted.forEach(this::put);
            return;
        }
        ACCEPTED.put(key.toString(), analyzeNow(sql, parameters, project, defaultDataset));
    }

    /** Analyzes {@code sql} now, adding what it creates; refused, the catalog is left as it was. */

    private List<Relation> analyzeNow(String sql, Map<String, Type> parameters, String project,
            String defaultDataset) {
        AnalyzerOptions options = new AnalyzerOptions();
        options.setLanguageOptions(LANGUAGE);
        parameters.forEach(options::addQueryParameter);
        Map<String, Relation> before = new LinkedHashMap<>(relations);
        List<Relation> created = new ArrayList<>();
        ParseResumeLocation location = new ParseResumeLocation(sql);
        try {
            while (!atEnd(sql, location.getBytePosition())) {
                ResolvedStatement statement;
                try {
                    statement = Analyzer.analyzeNextStatement(location, options, catalog(defaultDataset));
                } catch (SqlException e) {
                    throw new Refused(e.getMessage());
                }
                Relation relation = createdBy(statement, project, defaultDataset);
                if (relation != null) {
                    // A later statement of the script may use it.
                    put(relation);
                    created.add(relation);
                }
            }
        } catch (Refused e) {
            created.forEach(relation -> remove(relation.project(), relation.dataset(), relation.name()));
            before.values().stream().filter(relation -> !relations.containsKey(relation.path())).forEach(this::put);
            throw e;
        }
        return created;
    }

    /** Whether nothing but blanks, comments and semicolons follows the UTF-8 byte position in {@code sql}. */
    private static boolean atEnd(String sql, int bytePosition) {
        return sql.substring(charIndex(sql, bytePosition)).replaceAll("(?s)--[^\\n]*|/\\*.*?\\*/|\\s|;", "")
                .isEmpty();
    }

    /** A digest of every relation and its columns' types. */
    private String fingerprint() {
        if (fingerprint == null) {
            StringBuilder text = new StringBuilder();
            relations.values().forEach(relation -> {
                text.append(relation.path()).append('(');
                relation.columns().forEach((column, type) -> text.append(column).append(' ').append(sqlName(type))
                        .append(','));
                text.append(")\n");
            });
            try {
                fingerprint = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return fingerprint;
    }

    /** A relation's names in the catalog: its full path, {@code dataset.name}, and its bare name in the bare dataset. */
    private List<String> names(Relation relation) {
        List<String> names = new ArrayList<>(List.of(relation.path(), relation.dataset() + "." + relation.name()));
        if (relation.dataset().equals(bareDataset)) {
            names.add(relation.name());
        }
        return names;
    }

    /** The catalog with the bare names of {@code defaultDataset}'s relations, registered. */
    private SimpleCatalog catalog(String defaultDataset) {
        if (catalog == null) {
            catalog = new SimpleCatalog("bigquery");
            catalog.addZetaSQLFunctionsAndTypes(new ZetaSQLBuiltinFunctionOptions(LANGUAGE));
            bareDataset = defaultDataset;
            relations.values().forEach(relation -> names(relation)
                    .forEach(name -> catalog.addSimpleTable(name, table(name, relation))));
        }
        if (!java.util.Objects.equals(defaultDataset, bareDataset)) {
            unregister();
            String previous = bareDataset;
            relations.values().stream().filter(relation -> relation.dataset().equals(previous))
                    .forEach(relation -> catalog.removeSimpleTable(relation.name()));
            bareDataset = defaultDataset;
            relations.values().stream().filter(relation -> relation.dataset().equals(defaultDataset))
                    .forEach(relation -> catalog.addSimpleTable(relation.name(), table(relation.name(), relation)));
        }
        if (!registered) {
            catalog.register();
            registered = true;
        }
        return catalog;
    }

    /** The character index of a UTF-8 byte position in {@code text}. */
    private static int charIndex(String text, int bytePosition) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            if (bytes >= bytePosition) {
                return i;
            }
            bytes += String.valueOf(text.charAt(i)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return text.length();
    }

    /** The table or view {@code statement} creates, with the columns it has. */
    private static Relation createdBy(ResolvedStatement statement, String project, String defaultDataset) {
        List<String> path;
        Map<String, Type> columns = new LinkedHashMap<>();
        if (statement instanceof ResolvedCreateViewBase view) {
            path = view.getNamePath();
            for (ResolvedOutputColumn column : view.getOutputColumnList()) {
                columns.put(column.getName(), column.getColumn().getType());
            }
        } else if (statement instanceof ResolvedCreateTableStmtBase table) {
            path = table.getNamePath();
            for (ResolvedColumnDefinition column : table.getColumnDefinitionList()) {
                columns.put(column.getName(), column.getType());
            }
        } else {
            return null;
        }
        List<String> parts = new ArrayList<>();
        path.forEach(part -> parts.addAll(List.of(part.split("\\."))));
        int n = parts.size();
        return new Relation(n >= 3 ? parts.get(n - 3) : project, n >= 2 ? parts.get(n - 2) : defaultDataset,
                parts.get(n - 1), columns);
    }

    private static SimpleTable table(String name, Relation relation) {
        List<SimpleColumn> columns = new ArrayList<>();
        relation.columns().forEach((column, type) -> columns.add(new SimpleColumn(name, column, type)));
        return new SimpleTable(name, columns);
    }

    /** A column or parameter type as the REST API names it ({@code STRING}, {@code INTEGER}, …). */
    static Type type(String bigQueryType) {
        TypeKind kind = switch (bigQueryType) {
            case "STRING" -> TypeKind.TYPE_STRING;
            case "BYTES" -> TypeKind.TYPE_BYTES;
            case "INTEGER", "INT64" -> TypeKind.TYPE_INT64;
            case "FLOAT", "FLOAT64" -> TypeKind.TYPE_DOUBLE;
            case "NUMERIC" -> TypeKind.TYPE_NUMERIC;
            case "BIGNUMERIC" -> TypeKind.TYPE_BIGNUMERIC;
            case "BOOLEAN", "BOOL" -> TypeKind.TYPE_BOOL;
            case "DATE" -> TypeKind.TYPE_DATE;
            case "DATETIME" -> TypeKind.TYPE_DATETIME;
            case "TIME" -> TypeKind.TYPE_TIME;
            case "TIMESTAMP" -> TypeKind.TYPE_TIMESTAMP;
            case "JSON" -> TypeKind.TYPE_JSON;
            default -> throw new IllegalArgumentException("a BigQuery type the fake does not know: " + bigQueryType);
        };
        return TypeFactory.createSimpleType(kind);
    }

    /** A type as BigQuery writes it in SQL ({@code STRING}, {@code ARRAY<DATE>}), as {@link #sqlName} gives it. */
    static Type fromSqlName(String name) {
        if (name.startsWith("ARRAY<") && name.endsWith(">")) {
            return TypeFactory.createArrayType(fromSqlName(name.substring("ARRAY<".length(), name.length() - 1)));
        }
        return type(name);
    }

    /** A query parameter's type as the client declares it ({@code {"type":"ARRAY","arrayType":{"type":"STRING"}}}). */
    static Type parameterType(JsonNode type) {
        if ("ARRAY".equals(type.path("type").asText())) {
            return TypeFactory.createArrayType(parameterType(type.path("arrayType")));
        }
        return type(type.path("type").asText());
    }

    /** A table's columns from its REST schema ({@code {"fields":[{"name":…,"type":…,"mode":…}]}}). */
    static Map<String, Type> columns(JsonNode schema) {
        Map<String, Type> columns = new LinkedHashMap<>();
        for (JsonNode field : schema.path("fields")) {
            Type type = type(field.path("type").asText());
            columns.put(field.path("name").asText(), "REPEATED".equals(field.path("mode").asText())
                    ? TypeFactory.createArrayType(type) : type);
        }
        return columns;
    }

    /** A type as BigQuery writes it in SQL: {@code STRING}, {@code ARRAY<DATE>}, {@code FLOAT64}. */
    static String sqlName(Type type) {
        return type.typeName(ProductMode.PRODUCT_EXTERNAL);
    }
}
