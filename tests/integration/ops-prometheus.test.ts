// Prometheus itself (Debian's `prometheus` package; .ci/run installs it): promtool accepts the
// configuration and the rules, and a real Prometheus scraping a running API and worker, after a
// little traffic, returns data for every dashboard expression and evaluates every alert rule;
// stopping the worker starts the worker alerts.
import path from 'node:path';

import { ALERTS_FILE, loadAlertRules, PROMETHEUS_DIR } from '../../scripts/lib/ops/dashboards';
import { evaluateDashboards, unhealthyRules } from '../../scripts/lib/ops/live-check';
import {
  LocalPrometheus,
  prometheusInstalled,
  promtool,
  targetOf,
} from '../../scripts/lib/ops/prometheus';
import { driveTraffic } from '../../scripts/lib/ops/traffic';
import { startPlatform, type TestPlatform } from '../support/platform';

const MISSING =
  "Debian's prometheus package is not installed (apt-get install prometheus; .ci/run installs it)";

let platform: TestPlatform;
let prometheus: LocalPrometheus;

beforeAll(async () => {
  if (!prometheusInstalled()) throw new Error(MISSING);
  // The drift statistic from the first request on (a dashboard expression must return data),
  // fresh at each scrape, and a threshold any window reaches (the drift alert must start).
  platform = await startPlatform({
    env: { DRIFT_MIN_REQUESTS: '1', DRIFT_CACHE_TTL_MS: '1', DRIFT_PSI_THRESHOLD: '0.000001' },
  });
  prometheus = await LocalPrometheus.start({
    api: [targetOf(platform.api.url)],
    worker: [targetOf(platform.worker!.url)],
  });
  await prometheus.allTargetsUp(3);
  await driveTraffic(platform.api.url, 12, 1_500);
  // Two more scrapes, so that the traffic's last counts are in.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await platform?.stop();
}, 30_000);

describe('promtool', () => {
  it('accepts prometheus.yml (with its rule file) and alerts.yml', () => {
    const config = promtool(['check', 'config', path.join(PROMETHEUS_DIR, 'prometheus.yml')]);
    expect([config.status, config.output]).toEqual([0, expect.stringContaining('SUCCESS')]);
    const rules = promtool(['check', 'rules', ALERTS_FILE]);
    expect([rules.status, rules.output]).toEqual([
      0,
      expect.stringContaining(`${loadAlertRules().length} rules found`),
    ]);
  });
});

describe('a real Prometheus scraping the API and a worker', () => {
  it('returns data for every dashboard expression', async () => {
    const results = await evaluateDashboards(prometheus, '5m');
    expect(results.length).toBeGreaterThan(40);
    expect(results.filter((r) => r.status !== 'ok')).toEqual([]);
  });

  it('evaluates every alert rule without error, and a healthy platform raises no availability alert', async () => {
    expect(await unhealthyRules(prometheus)).toEqual([]);
    const rules = await prometheus.rules();
    expect(rules.map((r) => r.name).sort()).toEqual(
      loadAlertRules()
        .map((r) => r.alert)
        .sort(),
    );
    const availability = new Set(
      loadAlertRules()
        .filter((r) => r.group === 'predictq-availability')
        .map((r) => r.alert),
    );
    await prometheus.until('quiet', async () =>
      (await prometheus.rules())
        .filter((r) => availability.has(r.name))
        .every((r) => r.state === 'inactive'),
    );
  });

  it('starts the input-drift alert when a feature reaches the PSI threshold', async () => {
    await prometheus.until('the drift alert pending', async () =>
      (await prometheus.rules()).some(
        (r) => r.name === 'PredictqInputDrift' && r.state !== 'inactive',
      ),
    );
  });

  it('starts the worker alerts when the only worker stops', async () => {
    await platform.worker!.stop();
    const states = async () =>
      Object.fromEntries((await prometheus.rules()).map((r) => [r.name, r.state]));
    await prometheus.until('alerting on the stopped worker', async () => {
      const now = await states();
      return now.PredictqWorkerDown === 'pending' && now.PredictqNoWorkerRunning === 'pending';
    });
    expect((await states()).PredictqApiDown).toBe('inactive');
  });
});
