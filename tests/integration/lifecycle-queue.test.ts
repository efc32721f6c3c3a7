// Queue position and ETA in GET for a queued prediction: `queue.ahead` counts the interactive
// predictions submitted before it and not finished, `eta_seconds` divides what is ahead (and it)
// by the rate at which predictions ended over the last minute, as the API saw them; none ended
// yet: null. A prediction that is no longer queued, and the list, carry no queue. No worker runs,
// so the predictions stay queued until canceled.
import { familyRequest } from '../fixtures/domain';
import { call, eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startPlatform({ worker: false, env: { ADMISSION_MAX_WAIT_MS: '0' } });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

interface Read {
  status: string;
  queue?: { ahead: number; ahead_at_least: boolean; eta_seconds: number | null };
}

const read = async (id: string) =>
  (await call<Read>(platform.api.url, 'GET', `/v1/predictions/${id}`)).body;

it('a queued prediction shows how many are ahead of it and, once some ended, an ETA', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { body, status } = await call<{ id: string }>(
      platform.api.url,
      'POST',
      '/v1/predictions',
      { body: familyRequest },
    );
    expect(status).toBe(202);
    ids.push(body.id);
  }
  const [first, second, third] = ids as [string, string, string];

  expect((await read(first)).queue).toEqual({ ahead: 0, ahead_at_least: false, eta_seconds: null });
  expect((await read(third)).queue).toEqual({
    ahead: 2,
    ahead_at_least: false,
    eta_seconds: null,
  });

  // One ends (canceled): one fewer ahead, and a drain rate of 1 a minute.
  const canceled = await call(platform.api.url, 'POST', `/v1/predictions/${first}/cancel`);
  expect(canceled.status).toBe(200);
  const after = await eventually('the ended prediction is counted', async () => {
    const body = await read(third);
    return typeof body.queue?.eta_seconds === 'number' ? body : undefined;
  });
  // (1 ahead + itself) / (1 ended per 60 s).
  expect(after.queue).toEqual({ ahead: 1, ahead_at_least: false, eta_seconds: 120 });
  expect((await read(second)).queue).toEqual({ ahead: 0, ahead_at_least: false, eta_seconds: 60 });

  const ended = await read(first);
  expect(ended.status).toBe('canceled');
  expect(ended.queue).toBeUndefined();
  const list = await call<{ predictions: Record<string, unknown>[] }>(
    platform.api.url,
    'GET',
    '/v1/predictions',
  );
  expect(list.body.predictions.length).toBeGreaterThanOrEqual(3);
  expect(list.body.predictions.every((p) => !('queue' in p))).toBe(true);
});
