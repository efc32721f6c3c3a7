// The drift scenario: the whole MLOps loop against a running platform, told as a short story
// with figures. Users from the regular profiles, then from the noisy profile (drift: acceptance
// drops), a training run on the fresh feedback, its metrics against the active model's on the
// same holdout, a canary rollout that the platform itself promotes or rolls back (its sequential
// test on online acceptance), and the acceptance afterwards. The traffic is the traffic
// generator's (one run per phase), the rest the operator API through the typed client (training
// results typed and parsed by the contract). runDriftScenario prints the story and answers its
// figures, for a tally over seeds.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { PredictqClient } from '@predictq/client';
import type { EvaluationMetricsBody, TrainingResultBody } from '@predictq/contract';
import { NOISY_TRAVELLER_PROFILES } from '@predictq/simulation';

import type { TrafficReport } from '../traffic/report';

export interface DriftOptions {
  url: string;
  token: string | undefined;
  sessions: number;
  parallel: number;
  seed: number;
}

type Metrics = EvaluationMetricsBody;
/** The figures the story prints (the contract names them; more may pass through). */
type MetricName = 'auc' | 'accuracy' | 'precision' | 'recall' | 'f1' | 'log_loss';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const pct = (rate: number | null) => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One traffic phase: the traffic generator's report (it runs as its own process). */
async function traffic(
  options: DriftOptions,
  phase: number,
  profiles?: string,
): Promise<TrafficReport> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'predictq-drift-'));
  const json = path.join(dir, 'report.json');
  const args = [
    '--import',
    'tsx',
    path.join(ROOT, 'scripts', 'traffic.ts'),
    '--url',
    options.url,
    '--no-sleep',
    '-n',
    String(options.sessions),
    '-p',
    String(options.parallel),
    '--seed',
    String(options.seed + phase),
    '--json',
    json,
    ...(profiles ? ['--config', profiles] : []),
  ];
  try {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, args, {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`the traffic generator exited with ${code}`);
    return JSON.parse(await readFile(json, 'utf8')) as TrafficReport;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function activeVersion(client: PredictqClient): Promise<{ id: string; version: number }> {
  const { models } = await client.request('listModels', {});
  const active = models.find((m) => m.status === 'active');
  if (!active) throw new Error('no active model: is the platform ready?');
  return active;
}

async function train(client: PredictqClient): Promise<TrainingResultBody> {
  // activate: false: the offline rule says whether the candidate may be tried; the platform's
  // canary decides whether it is promoted.
  const { id } = await client.request('trainModel', { body: { activate: false } });
  let last = '';
  for (;;) {
    const run = await client.request('getTraining', { params: { id } });
    const line = run.progress
      ? `   training: epoch ${run.progress.epoch}/${run.progress.epochs}, loss ${run.progress.loss.toFixed(4)}`
      : '';
    if (line && line !== last && process.stdout.isTTY) process.stdout.write(`\r${line}`);
    last = line;
    if (run.status === 'failed')
      throw new Error(`the training run failed: ${run.error ?? 'unknown'}`);
    if (run.status === 'succeeded' && run.result) {
      if (process.stdout.isTTY) process.stdout.write('\n');
      return run.result;
    }
    await sleep(200);
  }
}

/** Waits until new predictions are scored by `modelId` (workers refresh every few seconds). */
async function servedBy(client: PredictqClient, modelId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { id } = await client.submitPrediction({
      people_num: 2,
      people_age: [35, 36],
      children_num: 0,
      budget: 300,
      nights: 2,
      time_arrival: '2026-07-01',
      pool: false,
      spa: false,
      pet_friendly: false,
      lake: true,
      mountain: false,
      sport: false,
    });
    const prediction = await client.getPrediction(id, 10);
    if (prediction.output?.model.id === modelId) return;
    await sleep(500);
  }
  throw new Error(`new predictions are still not scored by model ${modelId} after 60 s`);
}

function metricsTable(candidate: Metrics, active: Metrics | undefined): string[] {
  const rows: [string, MetricName, number][] = [
    ['AUC', 'auc', 3],
    ['accuracy', 'accuracy', 3],
    ['precision', 'precision', 3],
    ['recall', 'recall', 3],
    ['F1', 'f1', 3],
    ['log-loss', 'log_loss', 3],
  ];
  const cell = (m: Metrics | undefined, key: MetricName, digits: number) => {
    const value = m?.[key];
    return value === null || value === undefined ? 'n/a' : value.toFixed(digits);
  };
  return [
    '     metric       active   candidate',
    ...rows.map(
      ([name, key, digits]) =>
        `     ${name.padEnd(12)} ${cell(active, key, digits).padStart(6)}   ${cell(candidate, key, digits).padStart(9)}`,
    ),
  ];
}

/** What the platform decided about the canary, with its figures. */
export interface RolloutOutcome {
  status: string;
  decision: string | null;
  reason: string;
  candidateAcceptance: number | null;
  activeAcceptance: number | null;
  candidateFeedback: number;
  activeFeedback: number;
  sessions: number;
}

/**
 * Starts a canary of the candidate (half the traffic) and drives drifted and regular travellers
 * in rounds until the platform's decision loop ends it (promoted or rolled back).
 */
async function canary(
  options: DriftOptions,
  client: PredictqClient,
  modelId: string,
): Promise<RolloutOutcome> {
  await client.request('startRollout', {
    params: { id: modelId },
    body: { mode: 'canary', share: 0.5, min_feedback: 100, max_feedback: 3000 },
  });
  const round = Math.max(100, Math.round(options.sessions / 5));
  let sessions = 0;
  for (let phase = 10; phase < 60; phase++) {
    await traffic(
      { ...options, sessions: round },
      phase,
      phase % 2 === 0 ? NOISY_TRAVELLER_PROFILES : undefined,
    );
    sessions += round;
    // The decision loop checks every ROLLOUT_DECISION_INTERVAL_MS while the next round runs.
    const { current } = await client.request('getRollout', { params: { id: modelId } });
    if (current && current.status !== 'running') {
      const last = current.decisions.at(-1);
      const figures = last?.figures ?? current.last_check;
      return {
        status: current.status,
        decision: last?.decision ?? null,
        reason: last?.reason ?? '',
        candidateAcceptance: figures?.candidate?.acceptance ?? null,
        activeAcceptance: figures?.active?.acceptance ?? null,
        candidateFeedback: figures?.candidate?.feedback ?? 0,
        activeFeedback: figures?.active?.feedback ?? 0,
        sessions,
      };
    }
  }
  throw new Error(`the canary of model ${modelId} was still undecided after ${sessions} sessions`);
}

export interface DriftOutcome {
  seed: number;
  baselineVersion: number;
  /** Acceptance of the regular travellers, then of the drifted ones, under the baseline. */
  regular: number | null;
  drifted: number | null;
  candidate: { version: number; auc: number | null };
  active: { version: number; auc: number | null } | null;
  promoted: boolean;
  reason: string;
  /** The canary the platform ran, when the offline rule let the candidate be tried. */
  rollout: RolloutOutcome | null;
  /** After the promotion: acceptance of the drifted, then of the regular travellers. */
  after: { drifted: number | null; regular: number | null } | null;
}

/** Runs the scenario, prints its story, and answers its figures. */
export async function runDriftScenario(options: DriftOptions): Promise<DriftOutcome> {
  // The operator token goes to the operator routes only (the client knows them from the
  // contract): the other routes take a client key, which the token is not.
  const client = new PredictqClient({
    baseUrl: options.url,
    validateResponses: true,
    ...(options.token ? { operatorToken: options.token } : {}),
  });
  try {
    return await scenario(options, client);
  } finally {
    await client.close();
  }
}

async function scenario(options: DriftOptions, client: PredictqClient): Promise<DriftOutcome> {
  const baseline = await activeVersion(client);
  console.log(
    `predictq drift scenario against ${options.url} (${options.sessions} sessions a phase)\n`,
  );

  const normal = await traffic(options, 1);
  console.log(
    `1. Regular travellers, model v${baseline.version}: ${pct(normal.acceptance.rate)} of the sessions chose one of the 10 stays shown.`,
  );

  const drifted = await traffic(options, 2, NOISY_TRAVELLER_PROFILES);
  console.log(
    `2. Drift: large, old, rich groups arrive (the noisy profile). Model v${baseline.version} serves them ${pct(drifted.acceptance.rate)}.`,
  );

  const started = Date.now();
  const result = await train(client);
  const { dataset, candidate, active } = result;
  console.log(
    `3. Retraining on the freshest feedback: ${dataset.rows} labelled stays from ${dataset.predictions} predictions ` +
      `(${dataset.positives} chosen), ${dataset.holdoutRows} held out; ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
  console.log(
    `4. Candidate v${candidate.version} against the active v${active?.version ?? '-'}, on the same holdout:`,
  );
  for (const line of metricsTable(candidate.metrics, active?.metrics)) console.log(line);

  let after: TrafficReport | undefined;
  let regular: TrafficReport | undefined;
  let rollout: RolloutOutcome | null = null;
  if (result.promoted) {
    console.log(
      `5. The offline rule lets it be tried (${result.reason}); canary: v${candidate.version} serves half the traffic, the platform decides.`,
    );
    rollout = await canary(options, client, candidate.modelId);
    console.log(
      `   The platform ${rollout.status === 'promoted' ? 'promoted' : 'did not promote'} v${candidate.version} after ${rollout.sessions} sessions: ` +
        `acceptance ${pct(rollout.candidateAcceptance)} (n=${rollout.candidateFeedback}) against ${pct(rollout.activeAcceptance)} (n=${rollout.activeFeedback}).`,
    );
    console.log(`   ${rollout.decision}: ${rollout.reason}`);
  } else {
    console.log(
      `5. Not tried: ${result.reason}. Candidate v${candidate.version} stays a candidate;`,
    );
    console.log(
      '   try it anyway with POST /v1/models/{id}/rollout {"mode": "canary", "force": true}.',
    );
  }
  const promoted = rollout?.status === 'promoted';
  if (promoted) {
    await servedBy(client, candidate.modelId);
    after = await traffic(options, 3, NOISY_TRAVELLER_PROFILES);
    regular = await traffic(options, 4);
    console.log(
      `6. With v${candidate.version} the drifted groups accept ${pct(after.acceptance.rate)} ` +
        `(was ${pct(drifted.acceptance.rate)}); regular travellers ${pct(regular.acceptance.rate)} (was ${pct(normal.acceptance.rate)}).`,
    );
  }
  return {
    seed: options.seed,
    baselineVersion: baseline.version,
    regular: normal.acceptance.rate,
    drifted: drifted.acceptance.rate,
    candidate: { version: candidate.version, auc: candidate.metrics.auc },
    active: active ? { version: active.version, auc: active.metrics.auc } : null,
    promoted,
    reason: rollout ? rollout.reason : result.reason,
    rollout,
    after:
      after && regular
        ? { drifted: after.acceptance.rate, regular: regular.acceptance.rate }
        : null,
  };
}
