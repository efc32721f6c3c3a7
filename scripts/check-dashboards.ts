// Checks the Grafana dashboards and the alert rules against a running API and worker(s) with a
// real Prometheus: starts Prometheus (Debian's `prometheus`, or PROMETHEUS_BIN) with
// prometheus/prometheus.yml's jobs pointed at the given processes and prometheus/alerts.yml,
// drives a few sessions through the API, then evaluates every dashboard expression through
// Prometheus's HTTP API (each must return data) and checks that every alert rule evaluates.
//   npm run ops:check -- --api http://127.0.0.1:8000 --worker http://127.0.0.1:9464
import { Command, InvalidArgumentError } from 'commander';

import { integer, USAGE_ERROR } from './lib/cli';
import { evaluateDashboards, unhealthyRules } from './lib/ops/live-check';
import { LocalPrometheus, prometheusInstalled, targetOf } from './lib/ops/prometheus';
import { driveTraffic } from './lib/ops/traffic';

const collect = (value: string, previous: string[]) => {
  try {
    new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://127.0.0.1:9464.');
  }
  return [...previous, value];
};

async function main(): Promise<number> {
  const options = new Command('check-dashboards')
    .description('Evaluate every dashboard expression and alert rule on a real Prometheus.')
    .option('--api <url>', 'the API (repeatable)', collect, [])
    .option('--worker <url>', "a worker's /metrics server (repeatable)", collect, [])
    .option('--sessions <n>', 'sessions to drive through the first API first', integer(0, 1000), 20)
    .parse()
    .opts<{ api: string[]; worker: string[]; sessions: number }>();
  const api = options.api.length > 0 ? options.api : ['http://127.0.0.1:8000'];
  const worker = options.worker.length > 0 ? options.worker : ['http://127.0.0.1:9464'];
  if (!prometheusInstalled()) {
    console.error(
      'prometheus is not installed: apt-get install prometheus (or set PROMETHEUS_BIN)',
    );
    return USAGE_ERROR;
  }

  const prometheus = await LocalPrometheus.start({
    api: api.map(targetOf),
    worker: worker.map(targetOf),
  });
  try {
    // Its own job too.
    await prometheus.allTargetsUp(api.length + worker.length + 1);
    if (options.sessions > 0) {
      const { succeeded } = await driveTraffic(api[0]!, options.sessions, 1_500);
      console.log(`drove traffic: ${succeeded} sessions succeeded`);
    }
    // Two more scrapes, so that the traffic's last counts are in.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const results = await evaluateDashboards(prometheus, '5m');
    for (const r of results) {
      console.log(`${r.status === 'ok' ? 'ok  ' : 'FAIL'} ${r.where}: ${r.detail}`);
      if (r.status !== 'ok') console.log(`     ${r.expr}`);
    }
    const rules = await unhealthyRules(prometheus);
    for (const rule of rules)
      console.log(`FAIL rule ${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);
    const failed = results.filter((r) => r.status !== 'ok').length + rules.length;
    console.log(`dashboard check: ${results.length} expressions, ${failed} problem(s)`);
    return failed === 0 ? 0 : 1;
  } finally {
    await prometheus.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
