// npm run burst: an overload burst against a running platform (starts nothing itself). N clients
// submit predictions without pause for a while; refused ones wait the Retry-After they were given.
// Prints the answers by status and the latency every client saw, p50 to max. Exit code 0 when
// only 202, 429 and 503 came back (every refusal with Retry-After) and every request got an
// answer, 1 otherwise, 2 for bad arguments.
//   npm run burst -- --clients 2000 --duration 20 [--url http://127.0.0.1:8000] [--json out.json]
import { writeFile } from 'node:fs/promises';

import { createRng } from '@predictq/random';
import { generateRequest, pickProfile, readTravellerProfiles } from '@predictq/simulation';
import { Command } from 'commander';

import { formatBurst, runBurst } from './lib/burst/burst';
import { integer, USAGE_ERROR } from './lib/cli';

interface Options {
  url: string;
  clients: number;
  duration: number;
  timeout: number;
  compat: boolean;
  key?: string;
  json?: string;
  seed: number;
}

async function bodies(seed: number, count: number, compat: boolean): Promise<string[]> {
  const profiles = await readTravellerProfiles();
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const profile = pickProfile(profiles, rng);
    const request = generateRequest(profile, rng, { startDate: '2026-06-01' });
    return JSON.stringify(compat ? { ...request, name: profile.name } : request);
  });
}

async function main(): Promise<void> {
  const options = new Command('burst')
    .description('Submit predictions from many clients at once, honouring Retry-After.')
    .option('--url <url>', 'the API', 'http://127.0.0.1:8000')
    .option('-c, --clients <n>', 'concurrent clients', integer(1, 20_000), 2000)
    .option('-d, --duration <s>', 'seconds', integer(1, 3600), 20)
    .option('--timeout <ms>', 'timeout of each request', integer(100, 600_000), 10_000)
    .option('--compat', 'submit to the compatible /inference/start', false)
    .option('--key <key>', 'API key (default: env PREDICTQ_API_KEY)', process.env.PREDICTQ_API_KEY)
    .option('--seed <n>', 'seed of the generated requests', integer(0, 2 ** 31 - 1), 1)
    .option('--json <file>', 'write the report as JSON')
    .parse()
    .opts<Options>();
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const report = await runBurst({
    url: options.url.replace(/\/+$/, ''),
    clients: options.clients,
    durationMs: options.duration * 1000,
    bodies: await bodies(options.seed, 1000, options.compat),
    path: options.compat ? '/inference/start' : '/v1/predictions',
    timeoutMs: options.timeout,
    signal: abort.signal,
    ...(options.key ? { apiKey: options.key } : {}),
  });
  console.log(formatBurst(report));
  if (options.json) await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
  process.exit(report.ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof Error && error.name === 'CommanderError' ? USAGE_ERROR : 1);
});
