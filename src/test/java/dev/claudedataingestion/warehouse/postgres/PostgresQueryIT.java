package dev.claudedataingestion.warehouse.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.warehouse.Cancellation;
import dev.claudedataingestion.warehouse.StatementRefusedException;
import dev.claudedataingestion.warehouse.UserQuery;
import dev.claudedataingestion.warehouse.Warehouse;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query} on a real PostgreSQL server, as an attacker would use it: as a SELECT-only role and as a superuser,
 * nothing a statement does persists, no server file is read, no session is signalled, and no statement outlives its
 * timeout, its cancellation or the process that sent it.
 */
class PostgresQueryIT {

    private static final String READER_PASSWORD = "reader-secret";

    private PostgresProvider.Location owner;
    private PostgresProvider.Location reader;

    @BeforeEach
    void createWarehouseAndReadOnlyRole() {
        owner = PostgresServer.newDatabase();
        try (Warehouse warehouse = owner.open(false)) {
            warehouse.ensureSchema(AnalysisViews.catalog());
        }
        String role = "reader_" + owner.database();
        // The recipe of docs/configuration.md, 'A read-only role for query'; and a function the owner wrote that
        // hides a large object from the plan, to show that the transaction's rollback undoes it anyway.
        PostgresServer.execute(owner,
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role + "') THEN"
                        + " CREATE ROLE " + role + " LOGIN PASSWORD '" + READER_PASSWORD + "'; END IF; END $$",
                "GRANT CONNECT ON DATABASE " + owner.database() + " TO " + role,
                "GRANT USAGE ON SCHEMA public TO " + role,
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role,
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO " + role,
                "CREATE FUNCTION hidden_large_object() RETURNS oid LANGUAGE plpgsql AS $$ BEGIN RETURN lo_create(0);"
                        + " END $$");
        reader = new PostgresProvider.Location(owner.host(), owner.port(), owner.database(), role, Map.of(),
                Optional.of(READER_PASSWORD));
    }

    private static List<List<Object>> query(PostgresProvider.Location location, String sql, UserQuery query) {
        List<List<Object>> rows = new ArrayList<>();
        try (Warehouse warehouse = location.open(true)) {
            warehouse.query(sql, query, new Warehouse.QueryVisitor() {
                @Override
                public void columns(List<String> names) {
                }

                @Override
                public void row(List<Object> values) {
                    rows.add(values);
                }
            });
        }
        return rows;
    }

    private static UserQuery plain() {
        return UserQuery.of(Optional.empty(), AnalysisViews.catalog());
    }

    private long ownerCount(String sql) {
        return ((Number) query(owner, sql, plain().allowingPrivilegedRole()).get(0).get(0)).longValue();
    }

    private long largeObjects() {
        return ownerCount("SELECT count(*) FROM pg_largeobject_metadata");
    }

    private long running(String marker) {
        return ownerCount("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%" + marker + "%'"
                + " AND state = 'active' AND pid <> pg_backend_pid()");
    }

    @Test
    void aReadOnlyRoleReadsTheTables() {
        assertThat(query(reader, "SELECT count(*) FROM claude_costs", plain())).containsExactly(List.of(0L));
    }

    @Test
    void largeObjectsAreRefusedForEveryRoleAndNothingPersists() {
        for (String statement : List.of("SELECT lo_from_bytea(0, 'x'::bytea)", "SELECT lo_create(0)",
                "SELECT pg_catalog.\"lo_create\"(0)")) {
            assertThatThrownBy(() -> query(reader, statement, plain()))
                    .isInstanceOf(StatementRefusedException.class).hasMessageContaining("refuses statements that call lo_");
            assertThatThrownBy(() -> query(owner, statement, plain().allowingPrivilegedRole()))
                    .isInstanceOf(StatementRefusedException.class).hasMessageContaining("refuses statements that call lo_");
        }
        // Where the plan cannot show the call, the rolled-back transaction still undoes it.
        assertThat(query(reader, "SELECT hidden_large_object()", plain())).hasSize(1);
        assertThat(largeObjects()).isZero();
    }

    @Test
    void aSuperuserIsRefusedWithTheRecipeForAReadOnlyRole() {
        assertThatThrownBy(() -> query(owner, "SELECT 1", plain()))
                .isInstanceOf(StatementRefusedException.class)
                .hasMessageContaining("which is a superuser")
                .hasMessageContaining("GRANT SELECT ON ALL TABLES IN SCHEMA public")
                .hasMessageContaining("--allow-privileged-role");
    }

    @Test
    void theOwnerOfTheTablesIsRefused() {
        String role = "owner_" + owner.database();
        PostgresServer.execute(owner, "CREATE ROLE " + role + " LOGIN PASSWORD 'o'",
                "ALTER TABLE claude_costs OWNER TO " + role);
        PostgresProvider.Location tablesOwner = new PostgresProvider.Location(owner.host(), owner.port(),
                owner.database(), role, Map.of(), Optional.of("o"));
        assertThatThrownBy(() -> query(tablesOwner, "SELECT 1", plain()))
                .isInstanceOf(StatementRefusedException.class).hasMessageContaining("the owner of claude_costs");
    }

    @Test
    void serverFilesAndSignalsAreRefusedEvenToAnAllowedSuperuser() {
        for (String statement : List.of("SELECT pg_read_file('/etc/passwd')", "SELECT * FROM pg_ls_dir('/')",
                "SELECT lo_import('/etc/passwd')", "SELECT pg_terminate_backend(pg_backend_pid())",
                "SELECT query_to_xml('SELECT pg_read_file(''/etc/passwd'')', true, true, '')",
                "WITH f AS (SELECT pg_read_binary_file('/etc/passwd') AS b) SELECT b FROM f")) {
            assertThatThrownBy(() -> query(owner, statement, plain().allowingPrivilegedRole()))
                    .as(statement).isInstanceOf(StatementRefusedException.class)
                    .hasMessageContaining("refuses statements that call");
        }
        assertThat(largeObjects()).isZero();
        // A name in a string is no call.
        assertThat(query(reader, "SELECT 'pg_read_file(x)' AS text", plain())).containsExactly(List.of("pg_read_file(x)"));
    }

    @Test
    void aSelectOnlyRoleCannotReadServerFilesEither() {
        assertThatThrownBy(() -> query(reader, "SELECT pg_stat_activity.pid FROM pg_stat_activity"
                + " CROSS JOIN pg_read_file('/etc/passwd') AS f", plain()))
                .isInstanceOf(StatementRefusedException.class);
    }

    @Test
    void aStatementLongerThanItsTimeoutIsStoppedOnTheServer() {
        UserQuery query = new UserQuery(Optional.empty(), Duration.ofSeconds(1), false, new Cancellation(), AnalysisViews.catalog());
        assertThatThrownBy(() -> query(reader, "SELECT pg_sleep(90) AS timeout_marker", query))
                .isInstanceOf(StatementRefusedException.class)
                .hasMessageContaining("longer than its timeout of 1 s");
        assertThat(running("timeout_marker")).isZero();
    }

    @Test
    void aCancelledStatementIsStoppedOnTheServer() throws Exception {
        Cancellation cancellation = new Cancellation();
        UserQuery query = new UserQuery(Optional.empty(), Duration.ofMinutes(5), false, cancellation, AnalysisViews.catalog());
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> query(reader,
                "SELECT pg_sleep(90) AS cancel_marker", query));
        while (running("cancel_marker") == 0) {
            Thread.sleep(50);
        }
        cancellation.cancel();
        assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StatementRefusedException.class).hasMessageContaining("cancelled");
        assertThat(running("cancel_marker")).isZero();
    }

    @Test
    void sigtermToTheCommandLineCancelsItsStatementOnTheServer(@TempDir Path directory) throws Exception {
        List<String> command = new ArrayList<>(TestApi.mainCommand());
        command.addAll(List.of("query", "--warehouse", "postgresql://" + reader.user() + "@" + reader.host() + ":"
                + reader.port() + "/" + reader.database(), "SELECT pg_sleep(2000) AS sigterm_marker"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("query.log").toFile());
        builder.environment().put("PGPASSWORD", READER_PASSWORD);
        builder.environment().put("TMPDIR", directory.toString());
        Process process = builder.start();
        try {
            long waited = 0;
            while (running("sigterm_marker") == 0 && waited < 30_000) {
                Thread.sleep(100);
                waited += 100;
            }
            assertThat(running("sigterm_marker")).as(new File(directory.toFile(), "query.log").toString()).isOne();
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1000);
            assertThat(running("sigterm_marker")).isZero();
        } finally {
            process.destroyForcibly();
        }
    }
}
