// npm run batch: submit a CSV (or TSV) of traveller requests as a batch, watch it, download the
// results.
//   npm run batch -- requests.csv --out results.csv [--url http://localhost:8000] [--wait]
// Without --wait it uploads and prints the batch id and where to fetch it; with --wait it shows
// progress (a bar on a terminal, plain lines otherwise) and writes the results to --out. Ctrl-C
// leaves the batch running and prints how to fetch it later. PREDICTQ_API_KEY, when set, is sent.
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

import { ApiError, PredictqClient } from '@predictq/client';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';

import { USAGE_ERROR } from './lib/cli';

/** Reading and storing a 1M-row file takes minutes on a busy machine. */
const UPLOAD_TIMEOUT_MS = 30 * 60_000;

const program = new Command()
  .name('batch')
  .argument('<file>', 'CSV or TSV file of traveller requests')
  .option('--out <file>', 'where to write the results (CSV)', 'results.csv')
  .option('--url <url>', 'the API', 'http://localhost:8000')
  .option('--wait', 'wait for the batch to finish and download the results', false)
  .option('--idempotency-key <key>', 'makes a retried upload safe')
  .exitOverride();

async function main(): Promise<void> {
  try {
    program.parse();
  } catch {
    process.exit(USAGE_ERROR);
  }
  const [file] = program.args as [string];
  const options = program.opts<{
    out: string;
    url: string;
    wait: boolean;
    idempotencyKey?: string;
  }>();
  const client = new PredictqClient({
    baseUrl: options.url,
    timeoutMs: 30_000,
    ...(process.env.PREDICTQ_API_KEY ? { apiKey: process.env.PREDICTQ_API_KEY } : {}),
  });
  const started = Date.now();
  let body: Awaited<ReturnType<PredictqClient['submitBatch']>>;
  try {
    body = await client.submitBatch(createReadStream(file), {
      format: /\.tsv$/i.test(file) ? 'tsv' : 'csv',
      timeoutMs: UPLOAD_TIMEOUT_MS,
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const { error: refusal } = (error.body ?? {}) as { error?: { message?: string } };
    console.error(`refused (${error.status}): ${refusal?.message ?? JSON.stringify(error.body)}`);
    process.exit(1);
  }
  const uploadS = (Date.now() - started) / 1000;
  console.log(
    `batch ${body.id}: ${body.rows.total} rows (${body.rows.rejected} rejected), uploaded in ${uploadS.toFixed(1)} s`,
  );
  const later = () =>
    console.log(
      `the batch keeps running; follow it with:\n  curl -s ${options.url}/v1/batches/${body.id}\n  curl -s ${options.url}/v1/batches/${body.id}/results.csv -o ${options.out}`,
    );
  if (!options.wait) {
    later();
    return;
  }
  process.on('SIGINT', () => {
    bar?.stop();
    console.log('');
    later();
    process.exit(130);
  });
  const bar = process.stdout.isTTY
    ? new SingleBar({ format: '{bar} {percentage}% | {value}/{total} rows | ETA {eta_s}s' })
    : undefined;
  bar?.start(body.rows.total, 0, { eta_s: '?' });
  let last = 0;
  for (;;) {
    const batch = await client.getBatch(body.id);
    const done = Math.round(batch.progress * batch.rows.total);
    bar?.update(done, { eta_s: batch.eta_seconds ?? '?' });
    if (!bar && Date.now() - last > 5_000) {
      last = Date.now();
      console.log(
        `${batch.status}: ${done}/${batch.rows.total} rows, ETA ${batch.eta_seconds ?? '?'} s`,
      );
    }
    if (batch.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  bar?.stop();
  const scoredS = (Date.now() - started) / 1000;
  const download = Date.now();
  try {
    await pipeline(await client.batchResults(body.id), createWriteStream(options.out));
  } catch (error) {
    await writeFile(options.out, '');
    throw error;
  }
  await client.close();
  console.log(
    `done in ${scoredS.toFixed(1)} s (${(body.rows.accepted / scoredS).toFixed(0)} rows/s); results in ${options.out} (${((Date.now() - download) / 1000).toFixed(1)} s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
