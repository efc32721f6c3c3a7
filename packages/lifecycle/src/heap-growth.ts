// How far V8 lets the old generation grow past what survived the last full collection. By
// default the factor is dynamic, up to 4x for a process that allocates fast: under load the API
// kept ~55 MB live in a 170 MB old space, and peaked at 300-330 MB of RSS. A fixed factor keeps
// the heap nearer its live size at the price of more frequent (mostly concurrent) full
// collections: at 2x (the default, 100) the API peaked at 213 MB for 2-9% more of its CPU. V8
// reads the flag at each collection, so setting it at start takes effect; it is not a limit, so a
// process that needs more memory still gets it.
import { setFlagsFromString } from 'node:v8';

/**
 * Sets V8's heap growing factor to 1 + percent/100 (HEAP_GROWING_PERCENT); 0 keeps V8's dynamic
 * factor.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
