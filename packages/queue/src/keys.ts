// Where each queue's keys live in Redis. On Redis Cluster every key a BullMQ script touches must
// hash to one slot, so each queue's keys carry a hash tag: `{...}` in QUEUE_PREFIX puts every
// queue in that one slot; without one, each queue gets its own tag (`predictq:{inference}`), which
// spreads the queues over the shards. Keys still begin with QUEUE_PREFIX either way, so a
// SCAN for `${QUEUE_PREFIX}*` finds them all.
import type { QueueName } from './jobs';

/** True when `prefix` holds a Redis Cluster hash tag: a `{`, then a `}` with something between. */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open < 0) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}

/** The BullMQ prefix of `queue`: its keys are `${queuePrefix}:${queue}:...`. */
export function queuePrefix(prefix: string, queue: QueueName): string {
  return hasHashTag(prefix) ? prefix : `${prefix}:{${queue}}`;
}
