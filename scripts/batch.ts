// npm run batch: submit a CSV (or TSV) of traveller requests as a batch, watch it, download the
// results.
//   npm run batch -- requests.csv --out results.csv [--url http://localhost:8000] [--wait]
// Without --wait it uploads and prints the batch id and where to fetch it; with --wait it shows
// progress (a bar on a terminal, plain lines otherwise) and writes the results to --out. Ctrl-C
// leaves the batch running and prints how to fetch it later. PREDICTQ_API_KEY, when set, is sent.
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';

import { SingleBar } from 'cli-progress';
import { Command } from 'commander';

import { USAGE_ERROR } from './lib/cli';

interface Batch {
  id: string;
  status: string;
  rows: { total: number; accepted: number; rejected: number };
  counts: Record<string, number>;
  progress: number;
  eta_seconds: number | null;
}

const program = new Command()
  .name('batch')
  .argument('<file>', 'CSV or TSV file of traveller requests')
  .option('--out <file>', 'where to write the results (CSV)', 'results.csv')
  .option('--url <url>', 'the API', 'http://localhost:8000')
  .option('--wait', 'wait for the batch to finish and download the results', false)
  .option('--idempotency-key <key>', 'makes a retried upload safe')
  .exitOverride();

const auth = (): Record<string, string> =>
  process.env.PREDICTQ_API_KEY ? { authorization: `Bearer ${process.env.PREDICTQ_API_KEY}` } : {};

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
  const size = (await stat(file)).size;
  const started = Date.now();
  const response = await fetch(`${options.url}/v1/batches`, {
    method: 'POST',
    headers: {
      'content-type': /\.tsv$/i.test(file) ? 'text/tab-separated-values' : 'text/csv',
      'content-length': String(size),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      ...auth(),
    },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  });
  const body = (await response.json()) as Batch & { error?: { message: string } };
  if (response.status !== 202) {
    console.error(`refused (${response.status}): ${body.error?.message ?? JSON.stringify(body)}`);
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
    const batch = (await (
      await fetch(`${options.url}/v1/batches/${body.id}`, { headers: auth() })
    ).json()) as Batch;
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
  const results = await fetch(`${options.url}/v1/batches/${body.id}/results.csv`, {
    headers: auth(),
  });
  if (!results.ok || !results.body) {
    await writeFile(options.out, '');
    throw new Error(`results: ${results.status}`);
  }
  await pipeline(Readable.fromWeb(results.body as never), createWriteStream(options.out));
  console.log(
    `done in ${scoredS.toFixed(1)} s (${(body.rows.accepted / scoredS).toFixed(0)} rows/s); results in ${options.out} (${((Date.now() - download) / 1000).toFixed(1)} s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
