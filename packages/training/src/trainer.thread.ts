// The training thread: fits and exports the model off the worker's event loop (training takes
// seconds of CPU; inference jobs and BullMQ's lock renewals keep running meanwhile).
import { parentPort, workerData } from 'node:worker_threads';

import { trainRanker, type TrainRankerOptions } from '@predictq/model';

import type { ThreadMessage } from './train-in-thread';

const port = parentPort;
if (!port) throw new Error('trainer.thread must run as a worker thread');

try {
  const options = workerData as Omit<TrainRankerOptions, 'onEpoch'>;
  const trained = trainRanker({
    ...options,
    onEpoch: (report) => port.postMessage({ type: 'epoch', report } satisfies ThreadMessage),
  });
  const { onnx, manifest, metrics, split } = trained;
  port.postMessage({
    type: 'done',
    result: { onnx, manifest, metrics, split },
  } satisfies ThreadMessage);
} catch (error) {
  port.postMessage({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
  } satisfies ThreadMessage);
}
