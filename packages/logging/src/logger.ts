// One winston logger per process. Scoped children add fixed metadata ({scope, modelId, ...});
// withLogContext adds per-request metadata ({requestId, predictionId, jobId}) to every line
// written inside an async call chain, without passing a logger around.
import { AsyncLocalStorage } from 'node:async_hooks';

import winston from 'winston';

export type LogContext = Record<string, string | number | undefined>;
export type Logger = winston.Logger;

const contextStorage = new AsyncLocalStorage<LogContext>();

/** Runs fn with `context` merged into the current log context. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return contextStorage.run({ ...contextStorage.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext | undefined {
  return contextStorage.getStore();
}

const addContext = winston.format((info) => {
  const context = contextStorage.getStore();
  if (context) {
    for (const [key, value] of Object.entries(context)) {
      if (value !== undefined && info[key] === undefined) info[key] = value;
    }
  }
  return info;
});

export interface LoggerOptions {
  service: string;
  level?: string;
  format?: 'json' | 'pretty' | 'auto';
  /** For tests: where lines go instead of stdout. */
  stream?: NodeJS.WritableStream;
}

function prettyLine(info: winston.Logform.TransformableInfo): string {
  const { timestamp, level, message, service, scope, ...meta } = info;
  const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
  const name = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const where = scope ? `${name(service)}/${name(scope)}` : name(service);
  return `${String(timestamp)} ${level} [${where}] ${String(message)}${rest}`;
}

export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stdout;
  const wantsPretty =
    options.format === 'pretty' ||
    (options.format !== 'json' && (stream as NodeJS.WriteStream).isTTY === true);
  const format = wantsPretty
    ? winston.format.combine(
        addContext(),
        winston.format.errors({ stack: false }),
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.colorize(),
        winston.format.printf(prettyLine),
      )
    : winston.format.combine(
        addContext(),
        winston.format.errors({ stack: true }),
        winston.format.timestamp(),
        winston.format.json(),
      );
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service },
    format,
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** The message of anything thrown, for logs and stored failure reasons. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
