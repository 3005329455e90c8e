package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.bigquery.BigQueryFake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The sample SQL of docs/metabase.md runs against the tables and views as they are (BigQuery, through its fake). */
class MetabaseSamplesIT {

    @Test
    void theGuidesSampleQueriesRunAndAnswer() throws Exception {
        // The samples look at this month and the last 30 days: load the days before today.
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
                today.minusDays(90));
        try (AdminApiSimulator simulator = TestApi.simulator(organization); BigQueryFake fake = new BigQueryFake()) {
            Map<String, String> environment = Map.of("ANTHROPIC_BASE_URL", simulator.baseUrl().toString(),
                    "ANTHROPIC_ADMIN_API_KEY", AdminApiSimulator.DEMO_KEY, "ANTHROPIC_REQUESTS_PER_SECOND", "1000",
                    "INGEST_START_DATE", today.minusDays(40).toString(), "BIGQUERY_PROJECT_ID", "test-project",
                    "BIGQUERY_API_URL", fake.url().toString());
            assertThat(TestApi.run(environment, Clock.systemUTC(), new String[] {"ingest"}).code()).isZero();

            List<String> samples = new ArrayList<>();
            Matcher block = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL)
                    .matcher(Files.readString(Path.of("docs/metabase.md")));
            while (block.find()) {
                if (block.group(1).contains("PROJECT.")) {
                    samples.add(block.group(1).replace("PROJECT.", "test-project.").strip().replaceAll(";$", ""));
                }
            }
            assertThat(samples).hasSize(4);
            for (String sample : samples) {
                TestApi.Ran ran = TestApi.run(environment, Clock.systemUTC(), "query", "--format", "csv", sample);
                assertThat(ran.code()).as(sample + "\n" + ran.err()).isZero();
                assertThat(ran.out().lines().count()).as(sample).isGreaterThan(1);
            }
        }
    }
}
