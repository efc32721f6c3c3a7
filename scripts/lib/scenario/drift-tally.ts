// The outcomes of the drift scenario over several seeds: one row per seed, then a tally.
import { median } from '../bench/compare';
import { type DriftOutcome, pct } from './drift-scenario';

const auc = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : value.toFixed(3);

function row(o: DriftOutcome): string {
  return [
    String(o.seed).padStart(6),
    pct(o.regular).padStart(11),
    pct(o.drifted).padStart(11),
    `${auc(o.active?.auc)} → ${auc(o.candidate.auc)}`.padStart(17),
    (o.promoted ? 'yes' : 'no').padStart(9),
    pct(o.after?.drifted ?? null).padStart(14),
    pct(o.after?.regular ?? null).padStart(14),
  ].join('');
}

function spread(values: (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return 'n/a';
  return `median ${pct(median(known))} (${pct(Math.min(...known))} to ${pct(Math.max(...known))})`;
}

export function formatDriftTally(outcomes: readonly DriftOutcome[]): string {
  const promoted = outcomes.filter((o) => o.promoted);
  return [
    '  seed  regular v1  drifted v1  AUC active → new  promoted  drifted after  regular after',
    ...outcomes.map(row),
    '',
    `tally over ${outcomes.length} seeds: promoted ${promoted.length}/${outcomes.length}`,
    `  before retraining: regular ${spread(outcomes.map((o) => o.regular))}, drifted ${spread(outcomes.map((o) => o.drifted))}`,
    `  after promotion:   regular ${spread(promoted.map((o) => o.after?.regular ?? null))}, drifted ${spread(promoted.map((o) => o.after?.drifted ?? null))}`,
  ].join('\n');
}
