// One prom-client registry per process, with the default process and Node.js metrics, all
// under the predictq_ prefix.
import { collectDefaultMetrics, Registry } from 'prom-client';

export const METRIC_PREFIX = 'predictq_';

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/** The exposition body and its content type, for a /metrics handler. */
export async function exposition(
  registry: Registry,
): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
