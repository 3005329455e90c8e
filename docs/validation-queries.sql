-- The seed deployment guide's two validation queries, for the BigQuery console or `bq query --use_legacy_sql=false`.
-- Replace PROJECT_ID with the project. BigQueryValidationQueriesTest runs this file against the tables as they are.

-- 1. Latest ingestion: when the cost table was last written, and the latest day it holds.
SELECT MAX(ingestion_timestamp) AS latest_ingestion, MAX(activity_date) AS latest_day, COUNT(*) AS row_count
FROM `PROJECT_ID.ai_usage_analytics.claude_costs`;

-- 2. Dates missing since 2025-01-01: days up to yesterday with no cost rows. A day without spend has no cost rows
--    and shows here too: `claude-ingest status` reads the coverage ledger instead and tells the two apart.
SELECT day AS missing_date
FROM UNNEST(GENERATE_DATE_ARRAY('2025-01-01', DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY))) AS day
WHERE day NOT IN (SELECT DISTINCT activity_date FROM `PROJECT_ID.ai_usage_analytics.claude_costs`)
ORDER BY day;
