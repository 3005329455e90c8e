package dev.claudedataingestion.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.warehouse.bigquery.BigQueryProvider;
import dev.claudedataingestion.warehouse.duckdb.DuckDbProvider;
import dev.claudedataingestion.warehouse.postgres.PostgresProvider;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each provider reads its own URLs and secrets; the registry picks one by scheme. */
class WarehousesTest {

    private static WarehouseLocation locate(String url, Map<String, String> environment) {
        return Warehouses.locate(Optional.ofNullable(url), environment);
    }

    @Test
    void duckDbIsTheDefaultAndAFileIsRequired() {
        assertThat(locate(null, Map.of())).isEqualTo(new DuckDbProvider.Location(Path.of("./ai_usage_analytics.duckdb")));
        assertThat(locate("duckdb:b.duckdb", Map.of())).isEqualTo(new DuckDbProvider.Location(Path.of("b.duckdb")));
        assertThat(locate("duckdb:///data/x.duckdb", Map.of())).isEqualTo(
                new DuckDbProvider.Location(Path.of("/data/x.duckdb")));
        assertThatThrownBy(() -> locate("duckdb:", Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("duckdb:PATH");
        assertThatThrownBy(() -> locate("duckdb::memory:", Map.of())).hasMessageContaining("in-memory");
    }

    @Test
    void anUnknownSchemeNamesEveryForm() {
        assertThatThrownBy(() -> locate("sqlite:x.db", Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("warehouse 'sqlite:…' is not supported; use duckdb:PATH (for example"
                        + " duckdb:./ai_usage_analytics.duckdb), postgresql://USER@HOST:PORT/DATABASE or"
                        + " bigquery://PROJECT/DATASET");
    }

    @Test
    void postgresUrlsTakeThePasswordFromTheEnvironmentOnly() {
        WarehouseLocation config = locate("postgresql://ingest@db.internal:6543/usage?sslmode=require",
                Map.of(PostgresProvider.PGPASSWORD, "s3cret"));
        assertThat(config).isEqualTo(new PostgresProvider.Location("db.internal", 6543, "usage", "ingest",
                Map.of("sslmode", "require"), Optional.of("s3cret")));
        assertThat(config.displayUrl()).isEqualTo("postgresql://ingest@db.internal:6543/usage");
        assertThat(config.toString()).doesNotContain("s3cret");
        assertThat(locate("postgres://me@localhost/db", Map.of()))
                .isEqualTo(new PostgresProvider.Location("localhost", 5432, "db", "me", Map.of(), Optional.empty()));
        assertThatThrownBy(() -> locate("postgresql://me:hunter2@localhost/db", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PGPASSWORD").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> locate("postgresql://me@localhost/db?password=hunter2", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> locate("postgresql://localhost/db", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("USER@HOST");
        assertThatThrownBy(() -> config.withMaximumBytesBilled(1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("BigQuery only");
    }

    @Test
    void theSeedDeploymentsVariablesSelectBigQuery() {
        assertThat(locate(null, Map.of(BigQueryProvider.PROJECT_ID, "my-project")))
                .isEqualTo(new BigQueryProvider.Location("my-project", "ai_usage_analytics"));
        assertThat(locate(null, Map.of(BigQueryProvider.PROJECT_ID, "my-project", BigQueryProvider.DATASET, "usage",
                BigQueryProvider.LOCATION, "EU", BigQueryProvider.API_URL, "http://127.0.0.1:9050")))
                .isEqualTo(new BigQueryProvider.Location("my-project", "usage", Optional.of("EU"),
                        Optional.of(URI.create("http://127.0.0.1:9050")), 10_000_000_000L));
        assertThat(locate("duckdb:x.duckdb", Map.of(BigQueryProvider.PROJECT_ID, "my-project")))
                .isInstanceOf(DuckDbProvider.Location.class);
        assertThat(locate("bigquery://other-project", Map.of()))
                .isEqualTo(new BigQueryProvider.Location("other-project", "ai_usage_analytics"));
        assertThat(locate("bigquery://other-project", Map.of()).withMaximumBytesBilled(5))
                .isEqualTo(new BigQueryProvider.Location("other-project", "ai_usage_analytics", Optional.empty(),
                        Optional.empty(), 5));
        assertThatThrownBy(() -> locate(null, Map.of(BigQueryProvider.PROJECT_ID, "My Project")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("project id");
        assertThatThrownBy(() -> locate("bigquery://my-project/bad-dataset", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dataset");
        assertThatThrownBy(() -> locate("bigquery:my-project", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bigquery://PROJECT/DATASET");
        assertThatThrownBy(() -> locate(null, Map.of(BigQueryProvider.DATASET, "d")))
                .hasMessageContaining("BIGQUERY_DATASET is set but BIGQUERY_PROJECT_ID is not");
    }
}
