// --log-requests: one JSON line per submitted request, in the order sent. Sorted by session,
// two runs with the same seed give the same lines.
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

import type { GeneratedRequest } from '@predictq/simulation';

import type { ApiFlavour } from './options';

export interface RequestLogLine {
  session: number;
  api: ApiFlavour;
  request: GeneratedRequest;
}

export class RequestLog {
  private constructor(
    private readonly stream: Writable,
    private readonly api: ApiFlavour,
  ) {
    // A write that fails later (disk full) must not crash the run: close() reports it.
    stream.on('error', () => undefined);
  }

  /** Opens (truncates) the file now, so that a bad path fails before the run. */
  static async open(file: string, api: ApiFlavour): Promise<RequestLog> {
    const handle = await open(file, 'w');
    return new RequestLog(handle.createWriteStream(), api);
  }

  write(session: number, request: GeneratedRequest): void {
    const line: RequestLogLine = { session, api: this.api, request };
    this.stream.write(`${JSON.stringify(line)}\n`);
  }

  /** Flushes and closes the file; rejects when it could not be written. */
  async close(): Promise<void> {
    this.stream.end();
    await finished(this.stream);
  }
}
