// The report of a traffic run: the figures as JSON (--json) and as text for the terminal.
import { type LatencySummary, summarize } from '../stats';
import type { TrafficOptions } from './options';
import type { TrafficStats } from './stats';

/** Why the run ended. */
export type StopReason = 'sessions' | 'duration' | 'SIGINT' | 'SIGTERM';

export const ACCEPTANCE_DEFINITION =
  'chosen / completed sessions: of the sessions whose prediction succeeded and whose user ' +
  'then answered or skipped the feedback, the share in which the user chose a returned stay';
export const ANSWERED_ACCEPTANCE_DEFINITION =
  'chosen / (chosen + none): the share of the feedback given that names a returned stay, ' +
  'as the feedback table (online accuracy) sees it';

export interface RunInfo {
  runId: string;
  options: TrafficOptions;
  startedAt: Date;
  endedAt: Date;
  elapsedSeconds: number;
  stoppedBy: StopReason;
}

const ratio = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
const perSecond = (count: number, seconds: number) =>
  Math.round((count / Math.max(seconds, 0.001)) * 10) / 10;

export function buildReport(stats: TrafficStats, run: RunInfo) {
  const o = run.options;
  const p = stats.predictions;
  const f = stats.feedback;
  const s = stats.sessions;
  return {
    tool: 'predictq traffic',
    runId: run.runId,
    startedAt: run.startedAt.toISOString(),
    endedAt: run.endedAt.toISOString(),
    url: o.url,
    api: o.api,
    profiles: o.config,
    seed: o.seed,
    parallel: o.parallel,
    sessionsLimit: o.sessions,
    durationLimitSeconds: o.duration,
    decision: o.decision,
    thinkTime: o.sleep ? { alpha: o.alpha, beta: o.beta, tmin: o.tmin, tmax: o.tmax } : null,
    timeoutMs: o.timeout,
    retriesPerRequest: o.retries,
    stoppedBy: run.stoppedBy,
    elapsedSeconds: Math.round(run.elapsedSeconds * 100) / 100,
    sessions: {
      ended: stats.sessionsEnded,
      completed: s.completed,
      predictionFailed: s.prediction_failed,
      abandoned: s.abandoned,
      errored: s.errored,
      interrupted: s.interrupted,
    },
    predictions: { ...p, unfinished: p.submitted - p.succeeded - p.failed },
    feedback: { ...f },
    acceptance: {
      rate: ratio(f.chosen, s.completed),
      definition: ACCEPTANCE_DEFINITION,
      rateOfAnswers: ratio(f.chosen, f.chosen + f.none),
      rateOfAnswersDefinition: ANSWERED_ACCEPTANCE_DEFINITION,
    },
    requests: stats.requests,
    errors: {
      total: stats.errors,
      http: { ...stats.httpErrors },
      network: { ...stats.networkErrors },
      unexpected: stats.unexpectedErrors,
      retries: stats.retries,
    },
    latency: {
      submitToSucceededMs: summarize(stats.latencyMs),
      // v1 answers the server's created_at and completed_at; compat only status words.
      clock: o.api === 'v1' ? 'server' : 'client',
      sessionMs: summarize(stats.sessionMs),
    },
    throughput: {
      sessionsPerSecond: perSecond(s.completed, run.elapsedSeconds),
      predictionsPerSecond: perSecond(p.succeeded, run.elapsedSeconds),
      requestsPerSecond: perSecond(stats.requests, run.elapsedSeconds),
    },
  };
}

export type TrafficReport = ReturnType<typeof buildReport>;

const percent = (rate: number | null) => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`);
const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v} ms`);
const latency = (l: LatencySummary) => `p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}`;

function errorLine(errors: TrafficReport['errors']): string {
  const parts = [
    ...Object.entries(errors.http).map(([status, n]) => `HTTP ${status} ×${n}`),
    ...Object.entries(errors.network).map(([code, n]) => `${code} ×${n}`),
    ...(errors.unexpected > 0 ? [`unexpected ×${errors.unexpected}`] : []),
  ];
  const list = parts.length > 0 ? parts.join(', ') : 'none';
  return `${errors.total} (${list}); ${errors.retries} retries`;
}

const STOPPED: Record<StopReason, string> = {
  sessions: 'all sessions done',
  duration: 'duration reached',
  SIGINT: 'stopped by SIGINT',
  SIGTERM: 'stopped by SIGTERM',
};

/** The report as text lines for the terminal. */
export function formatReport(r: TrafficReport): string {
  const s = r.sessions;
  const p = r.predictions;
  const f = r.feedback;
  const think = r.thinkTime ? `think ${r.thinkTime.tmin}-${r.thinkTime.tmax} s` : 'no sleep';
  return [
    `traffic ${r.runId}: ${r.api} API at ${r.url}, ${r.parallel} users, seed ${r.seed}, ${think}; ` +
      `${r.elapsedSeconds} s, ${STOPPED[r.stoppedBy]}`,
    `  sessions     ${s.ended} ended: ${s.completed} completed, ${s.predictionFailed} prediction failed, ` +
      `${s.abandoned} abandoned, ${s.errored} errored, ${s.interrupted} interrupted`,
    `  predictions  ${p.submitted} submitted, ${p.succeeded} succeeded, ${p.failed} failed, ` +
      `${p.unfinished} unfinished`,
    `  feedback     ${f.chosen} chosen, ${f.none} none fitted, ${f.skipped} skipped`,
    `  acceptance   ${percent(r.acceptance.rate)} of completed sessions chose a returned stay ` +
      `(${percent(r.acceptance.rateOfAnswers)} of the answers)`,
    `  latency      submit to succeeded (${r.latency.clock} clock): ` +
      latency(r.latency.submitToSucceededMs),
    `  session time ${latency(r.latency.sessionMs)} (client, think time included)`,
    `  throughput   ${r.throughput.sessionsPerSecond} sessions/s, ` +
      `${r.throughput.predictionsPerSecond} predictions/s, ${r.throughput.requestsPerSecond} requests/s`,
    `  errors       ${errorLine(r.errors)}`,
  ].join('\n');
}
