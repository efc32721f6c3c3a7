// The dashboards and alert rules against a running platform that had traffic: every PromQL
// expression names only metrics (and labels) the API and the worker expose on /metrics, and every
// SQL panel runs with Grafana's macros expanded, as Grafana's read-only role
// (docker/postgres/grafana-reader.sh), against the migrated schema, returning rows.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { API_METRIC_FAMILIES, WORKER_METRIC_FAMILIES } from '@predictq/metrics';
import {
  endRollout,
  getActiveModel,
  insertRollout,
  quoteIdentifier,
  recordRolloutDecision,
} from '@predictq/db';
import { Client, type FieldDef } from 'pg';

import {
  dashboardQueries,
  loadAlertRules,
  loadDashboards,
  type Query,
  substitutePromqlVariables,
} from '../../scripts/lib/ops/dashboards';
import { type ExposedMetrics, exposedMetrics } from '../../scripts/lib/ops/exposition';
import { expandSqlMacros, intervalMs } from '../../scripts/lib/ops/grafana-sql';
import { parsePromql } from '../../scripts/lib/ops/promql';
import { driveSessions } from '../../scripts/lib/ops/traffic';
import { ADMIN_URL, databaseUrl, ROOT } from '../support/env';
import { adminQuery } from '../support/admin';
import { scrape } from '../support/metrics';
import { startPlatform, type TestPlatform } from '../support/platform';

/** Labels Prometheus adds to every scraped sample, and its own `up` series. */
const TARGET_LABELS = ['job', 'instance'];
const NUMERIC_TYPES = new Set([20, 21, 23, 700, 701, 1700]); // int8/2/4, float4/8, numeric

let platform: TestPlatform;
let exposed: ExposedMetrics;
let reader: Client;
const readerRole = `predictq_test_reader_${randomBytes(4).toString('hex')}`;
const readerPassword = randomBytes(12).toString('hex');

beforeAll(async () => {
  // The drift gauges have series from the first request on (default: from 200 in the window).
  platform = await startPlatform({ env: { DRIFT_MIN_REQUESTS: '1' } });
  const { succeeded } = await driveSessions(platform.api.url, 12);
  expect(succeeded).toBe(12);
  await storeEndedRollout();
  exposed = exposedMetrics(await scrape(platform.api.url));
  exposedMetrics(await scrape(platform.worker!.url), exposed);

  const server = new URL(ADMIN_URL);
  const run = spawnSync('sh', [path.join(ROOT, 'docker', 'postgres', 'grafana-reader.sh')], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      PGHOST: server.hostname,
      PGPORT: server.port || '5432',
      POSTGRES_USER: decodeURIComponent(server.username) || 'postgres',
      POSTGRES_PASSWORD: decodeURIComponent(server.password),
      POSTGRES_DB: platform.database.name,
      GRAFANA_DB_USER: readerRole,
      GRAFANA_DB_PASSWORD: readerPassword,
    },
  });
  if (run.status !== 0) throw new Error(`grafana-reader.sh failed:\n${run.stdout}${run.stderr}`);
  const url = new URL(databaseUrl(platform.database.name));
  url.username = readerRole;
  url.password = readerPassword;
  reader = new Client({ connectionString: url.toString() });
  await reader.connect();
}, 90_000);

/**
 * A rollout with its decisions, ended, for the decisions table (a real one needs a candidate and
 * hundreds of feedback: tests/integration/rollout.test.ts); ended, so the decider leaves it.
 */
async function storeEndedRollout(): Promise<void> {
  const { db } = platform.database;
  const active = (await getActiveModel(db))!;
  const rollout = await insertRollout(db, {
    model_id: active.id,
    baseline_model_id: active.id,
    mode: 'canary',
    share: 0.2,
    policy: {},
  });
  await recordRolloutDecision(db, rollout.id, 'started', 'canary (test)', { offline: null });
  await endRollout(db, rollout.id, 'rolled_back');
  const arm = { model_id: active.id, predictions: 10, failed: 0, feedback: 10, chosen: 3 };
  await recordRolloutDecision(db, rollout.id, 'rollback', 'the candidate is worse online (test)', {
    candidate: { ...arm, acceptance: 0.3 },
    active: { ...arm, chosen: 6, acceptance: 0.6 },
    test: { verdict: 'candidate_worse', log_likelihood_ratio: 3.2, threshold: 3, interval: null },
  });
}

afterAll(async () => {
  await reader?.end();
  await platform?.stop();
  await adminQuery(`DROP ROLE IF EXISTS ${quoteIdentifier(readerRole)}`);
}, 30_000);

const dashboards = loadDashboards();
const queries: Query[] = dashboards.flatMap(dashboardQueries);
const promqlExpressions = [
  ...queries.flatMap((q) =>
    q.kind === 'promql'
      ? [{ where: q.where, expr: substitutePromqlVariables(q.expr, { window: '5m', step: '1m' }) }]
      : [],
  ),
  ...loadAlertRules().map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
];

describe('PromQL of the dashboards and the alert rules', () => {
  it('names only metrics the API and the worker expose, with labels they carry', () => {
    const problems: string[] = [];
    for (const { where, expr } of promqlExpressions) {
      const { selectors, groupingLabels } = parsePromql(expr);
      const labelsInExpr = new Set(TARGET_LABELS);
      for (const { name, labels } of selectors) {
        const known = name === 'up' ? new Set<string>() : exposed.get(name);
        if (!known) {
          problems.push(`${where}: ${name} is not exposed`);
          continue;
        }
        for (const label of known) labelsInExpr.add(label);
        for (const label of labels) {
          if (!known.has(label) && !TARGET_LABELS.includes(label)) {
            problems.push(`${where}: ${name} has no label ${label}`);
          }
        }
      }
      for (const label of groupingLabels) {
        if (!labelsInExpr.has(label)) problems.push(`${where}: no metric of it has label ${label}`);
      }
    }
    expect(problems).toEqual([]);
    expect(promqlExpressions.length).toBeGreaterThan(40);
  });

  it('uses every metric family the services document', () => {
    const used = new Set(
      promqlExpressions.flatMap(({ expr }) =>
        parsePromql(expr).selectors.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')),
      ),
    );
    const families = [...API_METRIC_FAMILIES, ...WORKER_METRIC_FAMILIES];
    expect(families.filter((family) => !used.has(family))).toEqual([]);
  });
});

describe('SQL panels', () => {
  const context = (query: Query) => ({
    from: new Date(Date.now() - 3_600_000),
    to: new Date(Date.now() + 60_000),
    intervalMs: intervalMs(query.panel.interval ?? '1m'),
  });
  const sqlQueries = queries.filter((q) => q.kind === 'sql');
  const run = async (query: Query, client: Client = reader) => {
    if (query.kind !== 'sql') throw new Error('not a SQL query');
    return client.query(expandSqlMacros(query.sql, context(query)));
  };

  it.each(sqlQueries.map((q) => [q.where, q] as const))(
    '%s runs as the Grafana reader and returns rows of the shape its format needs',
    async (_where, query) => {
      const result = await run(query);
      expect(result.rows.length).toBeGreaterThan(0);
      if (query.kind === 'sql' && query.format === 'time_series') {
        const names = result.fields.map((f: FieldDef) => f.name);
        expect(names[0]).toBe('time');
        const values = result.fields.filter((f) => f.name !== 'time' && f.name !== 'metric');
        expect(values.filter((f) => !NUMERIC_TYPES.has(f.dataTypeID)).map((f) => f.name)).toEqual(
          [],
        );
      }
    },
  );

  it('panels that reuse another panel keep only columns its query returns', async () => {
    const reusing = queries.filter((q) => q.kind === 'panel');
    expect(reusing.length).toBeGreaterThan(0);
    for (const query of reusing) {
      if (query.kind !== 'panel') continue;
      const source = sqlQueries.find((q) => q.panel.id === query.sourcePanelId);
      const columns = (await run(source!)).fields.map((f) => f.name);
      const kept = query.panel.transformations?.flatMap((t) => t.options.include?.names ?? []);
      expect(kept?.length).toBeGreaterThan(1);
      expect(kept!.filter((name) => !columns.includes(name))).toEqual([]);
    }
  });

  it('the drift panels compare with the training baseline, and cope when a model has none', async () => {
    const drift = sqlQueries.filter((q) => q.where.startsWith('input-drift.json'));
    const summary = drift.find((q) => q.panel.title.startsWith('Live requests'))!;
    const withBaseline = await run(summary);
    expect(withBaseline.rows).toHaveLength(13);
    for (const row of withBaseline.rows) {
      expect([row.feature, typeof row.training_mean]).toEqual([row.feature, 'number']);
    }

    // A model trained before request statistics were recorded: no baseline, the panels still run.
    const client = await platform.database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        "UPDATE models SET manifest = manifest #- '{training,requestStats}' WHERE status = 'active'",
      );
      for (const query of drift) {
        const result = await client.query(
          expandSqlMacros(query.kind === 'sql' ? query.sql : '', context(query)),
        );
        expect(result.rows.length).toBeGreaterThan(0);
        const training = result.fields.filter((f) => / training |^training_/.test(f.name));
        for (const row of result.rows) {
          for (const field of training) expect(row[field.name]).toBeNull();
        }
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('the reader role reads and cannot write', async () => {
    expect((await reader.query('SELECT count(*)::int AS n FROM feedback')).rows[0].n).toBe(12);
    await expect(reader.query('DELETE FROM feedback')).rejects.toThrow(/read-only/);
  });
});
