// An id inside a body (the compatible selection's task_id): one that cannot exist is simply not
// found, as a path id is (see mount.ts).
import { z } from 'zod';

import { notFound } from './errors';

const uuid = z.uuid();

export function uuidParam(value: unknown, what: string): string {
  const result = uuid.safeParse(value);
  if (!result.success) throw notFound(what);
  return result.data.toLowerCase();
}
