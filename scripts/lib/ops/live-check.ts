// Evaluates every PromQL expression of the dashboards on a running Prometheus (after the API and
// the workers had traffic), and reads the alert rules' evaluation state.
import { dashboardQueries, loadDashboards, substitutePromqlVariables } from './dashboards';
import type { LocalPrometheus } from './prometheus';

export interface ExpressionResult {
  where: string;
  expr: string;
  /** ok: at least one sample with a finite value. */
  status: 'ok' | 'empty' | 'not-finite' | 'error';
  detail: string;
}

/** Every dashboard expression, with Grafana's variables replaced (`window` for the rate ranges). */
export function dashboardExpressions(window: string): { where: string; expr: string }[] {
  return loadDashboards().flatMap((file) =>
    dashboardQueries(file).flatMap((query) =>
      query.kind === 'promql'
        ? [
            {
              where: query.where,
              expr: substitutePromqlVariables(query.expr, {
                window,
                step: '1s',
                dashboard: file.dashboard,
              }),
            },
          ]
        : [],
    ),
  );
}

export async function evaluateDashboards(
  prometheus: LocalPrometheus,
  window: string,
): Promise<ExpressionResult[]> {
  const results: ExpressionResult[] = [];
  for (const { where, expr } of dashboardExpressions(window)) {
    try {
      const samples = await prometheus.query(expr);
      const finite = samples.filter((s) => Number.isFinite(Number(s.value[1])));
      results.push({
        where,
        expr,
        status: samples.length === 0 ? 'empty' : finite.length === 0 ? 'not-finite' : 'ok',
        detail: `${samples.length} series, ${finite.length} finite`,
      });
    } catch (error) {
      results.push({ where, expr, status: 'error', detail: String(error) });
    }
  }
  return results;
}

/** Waits until every alert rule was evaluated at least once; returns the rules not healthy. */
export async function unhealthyRules(
  prometheus: LocalPrometheus,
): Promise<{ name: string; health: string; lastError?: string }[]> {
  const evaluated = (time: string) => !time.startsWith('0001-');
  await prometheus.until('done evaluating the rules', async () =>
    (await prometheus.rules()).every((rule) => evaluated(rule.lastEvaluation)),
  );
  return (await prometheus.rules())
    .filter((rule) => rule.health !== 'ok')
    .map(({ name, health, lastError }) => ({ name, health, lastError }));
}
