// The script a user would write in an afternoon instead of claude-ingest: the official SDK pages the usage and
// cost reports of a date range, grouped as claude-ingest groups them, and DuckDB's appender takes every row into two
// tables. No ledger, no replace, no restatement: run it twice and the rows are there twice.
//
//   ANTHROPIC_ADMIN_API_KEY=... [ANTHROPIC_BASE_URL=...] node ingest.mjs FROM TO FILE.duckdb
//
// FROM is the first day, TO the day after the last (YYYY-MM-DD, UTC).
import Anthropic from '@anthropic-ai/sdk';
import { DuckDBInstance } from '@duckdb/node-api';

const [from, to, file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node ingest.mjs FROM TO FILE.duckdb');
  process.exit(2);
}

// The SDK has no methods for these two reports: its generic get() sends the key, the version and the retries.
const client = new Anthropic({
  apiKey: null, authToken: null, defaultHeaders: { 'x-api-key': process.env.ANTHROPIC_ADMIN_API_KEY },
});

async function* results(path, groupBy) {
  let page;
  do {
    const body = await client.get(path, {
      query: {
        starting_at: `${from}T00:00:00Z`, ending_at: `${to}T00:00:00Z`, bucket_width: '1d', limit: 31,
        group_by: groupBy, page,
      },
    });
    for (const bucket of body.data) {
      for (const result of bucket.results) yield [bucket.starting_at, result];
    }
    page = body.has_more ? body.next_page : undefined;
  } while (page);
}

const db = await (await DuckDBInstance.create(file)).connect();
await db.run(`CREATE TABLE IF NOT EXISTS usage (bucket_start VARCHAR, api_key_id VARCHAR, workspace_id VARCHAR,
  model VARCHAR, service_tier VARCHAR, context_window VARCHAR, inference_geo VARCHAR, account_id VARCHAR,
  service_account_id VARCHAR, uncached_input_tokens BIGINT, cache_creation_1h_input_tokens BIGINT,
  cache_creation_5m_input_tokens BIGINT, cache_read_input_tokens BIGINT, output_tokens BIGINT,
  web_search_requests BIGINT)`);
await db.run(`CREATE TABLE IF NOT EXISTS cost (bucket_start VARCHAR, workspace_id VARCHAR, description VARCHAR,
  cost_type VARCHAR, model VARCHAR, service_tier VARCHAR, context_window VARCHAR, token_type VARCHAR,
  inference_geo VARCHAR, currency VARCHAR, amount_cents VARCHAR)`);

function text(appender, value) {
  if (value == null) appender.appendNull(); else appender.appendVarchar(String(value));
}

function count(appender, value) {
  if (value == null) appender.appendNull(); else appender.appendBigInt(BigInt(value));
}

const usage = await db.createAppender('usage');
for await (const [start, r] of results('/v1/organizations/usage_report/messages', ['api_key_id', 'workspace_id',
  'model', 'service_tier', 'context_window', 'inference_geo', 'account_id', 'service_account_id'])) {
  for (const value of [start, r.api_key_id, r.workspace_id, r.model, r.service_tier, r.context_window,
    r.inference_geo, r.account_id, r.service_account_id]) text(usage, value);
  for (const value of [r.uncached_input_tokens, r.cache_creation?.ephemeral_1h_input_tokens,
    r.cache_creation?.ephemeral_5m_input_tokens, r.cache_read_input_tokens, r.output_tokens,
    r.server_tool_use?.web_search_requests]) count(usage, value);
  usage.endRow();
}
usage.closeSync();

const cost = await db.createAppender('cost');
for await (const [start, r] of results('/v1/organizations/cost_report', ['workspace_id', 'description'])) {
  for (const value of [start, r.workspace_id, r.description, r.cost_type, r.model, r.service_tier,
    r.context_window, r.token_type, r.inference_geo, r.currency, r.amount]) text(cost, value);
  cost.endRow();
}
cost.closeSync();
db.closeSync();
