// The dashboards as files: the three dashboards, laid out and wired to the provisioned
// datasources; and the tools the live checks read them with (PromQL metric names, Grafana's
// variables and SQL macros), on examples whose answer is known.
import { DRIFT_FEATURES } from '@predictq/model';

import { expandSqlMacros, intervalMs } from '../../scripts/lib/ops/grafana-sql';
import {
  DATASOURCE_UIDS,
  dashboardQueries,
  loadAlertRules,
  loadDashboards,
  panelsOf,
  substitutePromqlVariables,
} from '../../scripts/lib/ops/dashboards';
import { metricNames, parsePromql } from '../../scripts/lib/ops/promql';

const dashboards = loadDashboards();

describe('grafana/dashboards', () => {
  it('holds the service, model quality and input drift dashboards, with distinct uids', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'predictq-input-drift',
      'predictq-model-quality',
      'predictq-service',
    ]);
  });

  it.each(dashboards.map((d) => [d.file, d] as const))(
    '%s: distinct panel ids, panels inside the 24-column grid, every target on a provisioned datasource',
    (_file, file) => {
      const panels = panelsOf(file.dashboard);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of panels) {
        expect(panel.gridPos).toBeDefined();
        expect(panel.gridPos!.x + panel.gridPos!.w).toBeLessThanOrEqual(24);
      }
      const overlapping = file.dashboard.panels.flatMap((a, i) =>
        file.dashboard.panels.slice(i + 1).flatMap((b) => {
          const [p, q] = [a.gridPos!, b.gridPos!];
          const apart =
            p.x + p.w <= q.x || q.x + q.w <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y;
          return apart ? [] : [`${a.title} / ${b.title}`];
        }),
      );
      expect(overlapping).toEqual([]);
      const queries = dashboardQueries(file);
      expect(queries.length).toBeGreaterThan(0);
      for (const query of queries) {
        const uid = (query.target.datasource ?? query.panel.datasource)?.uid;
        if (query.kind === 'promql') expect(uid).toBe(DATASOURCE_UIDS.prometheus);
        if (query.kind === 'sql') expect(uid).toBe(DATASOURCE_UIDS.postgres);
        if (query.kind === 'panel') {
          const source = panels.find((p) => p.id === query.sourcePanelId);
          expect(source?.targets?.length).toBe(1);
        }
      }
      const withoutTargets = panels.filter((p) => p.type !== 'row' && !p.targets?.length);
      expect(withoutTargets.map((p) => p.title)).toEqual([]);
    },
  );

  it('shows throughput, latency quantiles, errors, queue depth, in-flight jobs and utilisation', () => {
    const service = dashboards.find((d) => d.dashboard.uid === 'predictq-service')!;
    const exprs = dashboardQueries(service).flatMap((q) => (q.kind === 'promql' ? [q.expr] : []));
    const all = exprs.join('\n');
    for (const q of ['0.5', '0.95', '0.99']) {
      expect(all).toContain(
        `histogram_quantile(${q}, sum by (le) (rate(predictq_http_request_duration_seconds_bucket`,
      );
    }
    for (const metric of [
      'predictq_predictions_submitted_total',
      'predictq_predictions_completed_total',
      'predictq_queue_jobs',
      'predictq_worker_jobs_in_flight',
      'predictq_worker_concurrency',
    ]) {
      expect(exprs.some((e) => metricNames(e).includes(metric))).toBe(true);
    }
    expect(all).toMatch(/status=~"5\.\."/);
  });

  it('compares every drift feature with the baseline of the active model', () => {
    const drift = dashboards.find((d) => d.dashboard.uid === 'predictq-input-drift')!;
    const sql = dashboardQueries(drift)
      .flatMap((q) => (q.kind === 'sql' ? [q.sql] : []))
      .join('\n');
    for (const feature of DRIFT_FEATURES) expect(sql).toContain(`p.${feature}`);
    expect(sql).toContain("manifest #> '{training,requestStats,features}'");
    expect(sql).toContain("status = 'active'");
  });
});

describe('PromQL metric names', () => {
  it('tells metrics from functions, aggregations, keywords, label lists, strings and durations', () => {
    const parsed = parsePromql(
      'histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{route!~"/x|/y", s="5"}[5m] offset 1h)))' +
        ' / on (job) group_left(instance) b > bool 1e-9 or absent(up{job="api"} == 1)' +
        ' unless count_values("v", c) and {__name__="d", q=~".+"}',
    );
    expect(parsed.selectors).toEqual([
      { name: 'a_bucket', labels: ['route', 's'] },
      { name: 'b', labels: [] },
      { name: 'up', labels: ['job'] },
      { name: 'c', labels: [] },
      { name: 'd', labels: ['q'] },
    ]);
    expect(parsed.groupingLabels).toEqual(['le', 'route', 'job', 'instance']);
  });

  it('names the metrics of every alert rule', () => {
    const rules = loadAlertRules();
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'PredictqBacklogGrowing',
        'PredictqHighErrorRate',
        'PredictqHighLatencyP99',
        'PredictqNoActiveModel',
        'PredictqWorkerDown',
      ]),
    );
    for (const rule of rules) expect(metricNames(rule.expr).length).toBeGreaterThan(0);
  });
});

describe("Grafana's variables and macros", () => {
  it('replaces the built-in PromQL variables and refuses an unknown one', () => {
    expect(
      substitutePromqlVariables('rate(x[$__rate_interval]) + rate(y[${__range}])', {
        window: '5m',
        step: '1s',
      }),
    ).toBe('rate(x[5m]) + rate(y[5m])');
    expect(() =>
      substitutePromqlVariables('x{instance=~"$instance"}', { window: '5m', step: '1s' }),
    ).toThrow(/\$instance/);
    expect(
      substitutePromqlVariables('x{instance=~"$instance"}', {
        window: '5m',
        step: '1s',
        dashboard: {
          uid: 'u',
          title: 't',
          panels: [],
          templating: { list: [{ name: 'instance', allValue: '.*' }] },
        },
      }),
    ).toBe('x{instance=~".*"}');
  });

  it('expands the PostgreSQL macros as Grafana does, and refuses an unknown one', () => {
    const context = {
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-01T01:00:00Z'),
      intervalMs: 300_000,
    };
    expect(
      expandSqlMacros(
        'SELECT $__timeGroupAlias(p.created_at, $__interval), count(*) FROM p ' +
          "WHERE $__timeFilter(p.created_at) AND x > $__timeFrom() GROUP BY $__timeGroup(p.created_at, '1h', 0)",
        context,
      ),
    ).toBe(
      'SELECT floor(extract(epoch from p.created_at)/300)*300 AS "time", count(*) FROM p ' +
        "WHERE p.created_at BETWEEN '2026-01-01T00:00:00.000Z' AND '2026-01-01T01:00:00.000Z' AND " +
        "x > '2026-01-01T00:00:00.000Z' GROUP BY floor(extract(epoch from p.created_at)/3600)*3600",
    );
    expect(() => expandSqlMacros('SELECT $__timeSomething(x)', context)).toThrow(/timeSomething/);
    expect(() => expandSqlMacros('SELECT 1 WHERE v IN ($model)', context)).toThrow(/\$model/);
    expect(intervalMs('1h')).toBe(3_600_000);
  });
});
