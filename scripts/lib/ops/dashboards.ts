// The queries of the Grafana dashboards (grafana/dashboards/*.json) and of the Prometheus alert
// rules (prometheus/alerts.yml), read the way Grafana and Prometheus read them, for the checks.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const DASHBOARDS_DIR = path.join(ROOT, 'grafana', 'dashboards');
export const PROMETHEUS_DIR = path.join(ROOT, 'prometheus');
export const ALERTS_FILE = path.join(PROMETHEUS_DIR, 'alerts.yml');

/** The provisioned datasources' uids (grafana/provisioning/datasources). */
export const DATASOURCE_UIDS = { prometheus: 'predictq-prometheus', postgres: 'predictq-postgres' };
/** Grafana's datasource that reuses another panel's query result. */
export const DASHBOARD_DATASOURCE = '-- Dashboard --';

interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface Target {
  refId: string;
  datasource?: DatasourceRef;
  expr?: string;
  rawSql?: string;
  format?: string;
  panelId?: number;
  legendFormat?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DatasourceRef;
  targets?: Target[];
  panels?: Panel[];
  interval?: string;
  transformations?: { id: string; options: { include?: { names?: string[] } } }[];
  gridPos?: { h: number; w: number; x: number; y: number };
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: { name: string; allValue?: string; current?: { value?: unknown } }[] };
}

export interface DashboardFile {
  file: string;
  dashboard: Dashboard;
}

export type Query =
  | { kind: 'promql'; where: string; panel: Panel; target: Target; expr: string }
  | { kind: 'sql'; where: string; panel: Panel; target: Target; sql: string; format: string }
  | { kind: 'panel'; where: string; panel: Panel; target: Target; sourcePanelId: number };

export function loadDashboards(dir = DASHBOARDS_DIR): DashboardFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Dashboard,
    }));
}

/** Every panel, those inside rows included. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every query of every panel, with the kind its datasource gives it. */
export function dashboardQueries(file: DashboardFile): Query[] {
  const queries: Query[] = [];
  for (const panel of panelsOf(file.dashboard)) {
    for (const target of panel.targets ?? []) {
      const where = `${file.file} panel ${panel.id} "${panel.title}" ${target.refId}`;
      const datasource = target.datasource ?? panel.datasource;
      if (datasource?.type === 'prometheus') {
        if (!target.expr) throw new Error(`${where}: a Prometheus target without expr`);
        queries.push({ kind: 'promql', where, panel, target, expr: target.expr });
      } else if (datasource?.type === 'grafana-postgresql-datasource') {
        if (!target.rawSql) throw new Error(`${where}: a PostgreSQL target without rawSql`);
        queries.push({
          kind: 'sql',
          where,
          panel,
          target,
          sql: target.rawSql,
          format: target.format ?? 'time_series',
        });
      } else if (datasource?.uid === DASHBOARD_DATASOURCE && target.panelId !== undefined) {
        queries.push({ kind: 'panel', where, panel, target, sourcePanelId: target.panelId });
      } else {
        throw new Error(`${where}: unsupported datasource ${JSON.stringify(datasource)}`);
      }
    }
  }
  return queries;
}

export interface AlertRule {
  group: string;
  alert: string;
  expr: string;
}

export function loadAlertRules(file = ALERTS_FILE): AlertRule[] {
  const { groups } = parse(readFileSync(file, 'utf8')) as {
    groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
  };
  return groups.flatMap((group) =>
    group.rules.map((rule) => ({
      group: group.name,
      alert: rule.alert ?? rule.record ?? '(unnamed)',
      expr: String(rule.expr),
    })),
  );
}

/**
 * Grafana's built-in variables in a PromQL expression, replaced as Grafana would for a panel:
 * $__rate_interval and $__range by `window`, $__interval by `step`; a dashboard variable by its
 * "All" value (or its current value). Anything left that looks like a variable is an error, so
 * a new variable cannot slip past the checks.
 */
export function substitutePromqlVariables(
  expr: string,
  options: { window: string; step: string; dashboard?: Dashboard },
): string {
  const builtins: Record<string, string> = {
    __rate_interval: options.window,
    __range: options.window,
    __interval: options.step,
  };
  for (const variable of options.dashboard?.templating?.list ?? []) {
    const value = variable.allValue ?? variable.current?.value;
    if (typeof value === 'string') builtins[variable.name] = value;
  }
  const replaced = expr.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) =>
      builtins[braced ?? bare ?? ''] ?? whole,
  );
  const left = /\$\{?\w+/.exec(replaced);
  if (left) throw new Error(`unknown Grafana variable ${left[0]} in ${expr}`);
  return replaced;
}
