// The open loop's timetable: session i of a run at `rate` sessions per second is due at
// i * 1000 / rate ms after the start, whatever the platform answers. And the ramp's rates.
import { InvalidArgumentError } from 'commander';

/** A session started more than this after its scheduled time counts as late. */
export const LATE_MS = 10;

export const scheduledOffsetMs = (index: number, rate: number) => (index * 1000) / rate;

/** How many sessions are due `elapsedMs` after the start (those scheduled at or before it). */
export const dueCount = (elapsedMs: number, rate: number) =>
  elapsedMs < 0 ? 0 : Math.floor((elapsedMs * rate) / 1000 + 1e-9) + 1;

/** How many sessions are scheduled before `endMs`. */
export const scheduledBefore = (endMs: number, rate: number) =>
  Math.max(0, Math.ceil((endMs * rate) / 1000 - 1e-9));

/** "from:to:step" (sessions per second) as the list of rates, e.g. 50:200:50 → 50, 100, 150, 200. */
export function parseRamp(text: string): number[] {
  const parts = text.split(':').map(Number);
  const [from, to, step] = parts as [number, number, number];
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n) || n <= 0) || from > to) {
    throw new InvalidArgumentError(
      'expected from:to:step, positive rates with from ≤ to (e.g. 50:500:50)',
    );
  }
  const rates: number[] = [];
  for (let rate = from; rate <= to + 1e-9; rate += step) rates.push(Math.round(rate * 1000) / 1000);
  if (rates.length > 100) throw new InvalidArgumentError(`${rates.length} steps; 100 at most`);
  return rates;
}
