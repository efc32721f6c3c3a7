// Runs trainRanker in a worker thread and relays its epochs.
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import type { EpochReport, TrainedRanker, TrainRankerOptions } from '@predictq/model';

export type TrainOutput = Pick<TrainedRanker, 'onnx' | 'manifest' | 'metrics' | 'split'>;

export type ThreadMessage =
  | { type: 'epoch'; report: EpochReport }
  | { type: 'done'; result: TrainOutput }
  | { type: 'error'; message: string };

/** How a run trains: in a worker thread in production; tests may train in-process. */
export type Train = (
  options: Omit<TrainRankerOptions, 'onEpoch'>,
  onEpoch: (report: EpochReport) => void,
) => Promise<TrainOutput>;

// The thread runs the same kind of file as this one: .js when built, .ts from the sources (tsx).
const THREAD_FILE = path.join(__dirname, `trainer.thread${path.extname(__filename)}`);

function startThread(workerData: unknown): Worker {
  if (!THREAD_FILE.endsWith('.ts')) return new Worker(THREAD_FILE, { workerData });
  // Loader hooks do not reach worker threads on Node 20: register tsx inside the thread first.
  const bootstrap = `require('tsx/cjs/api').register(); require(${JSON.stringify(THREAD_FILE)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}

export const trainInThread: Train = (options, onEpoch) =>
  new Promise<TrainOutput>((resolve, reject) => {
    const worker = startThread(options);
    let settled = false;
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'epoch') onEpoch(message.report);
      else if (message.type === 'done') {
        settled = true;
        resolve(message.result);
      } else {
        settled = true;
        reject(new Error(message.message));
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the training thread exited with code ${code}`));
    });
  });
