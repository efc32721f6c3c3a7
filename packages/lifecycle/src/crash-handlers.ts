// A process never dies silently. An unhandled rejection is logged and the process goes on (a
// promise someone forgot to await is a bug to fix, not a reason to drop the jobs in hand); an
// uncaught exception leaves the process in an unknown state, so it is logged and the process
// shuts down gracefully with exit code 1.
import { errorMessage, type Logger } from '@predictq/logging';

import type { ShutdownRegistry } from './shutdown';

export interface CrashHandlerOptions {
  logger: Logger;
  shutdown: ShutdownRegistry;
  /** Called for every unhandled rejection (a metric), after it was logged. */
  onUnhandledRejection?: () => void;
}

export function installCrashHandlers(options: CrashHandlerOptions): void {
  const { logger, shutdown } = options;
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection', {
      error: reason instanceof Error ? reason.stack : errorMessage(reason),
    });
    options.onUnhandledRejection?.();
  });
  process.on('uncaughtException', (error, origin) => {
    logger.error('uncaught exception: shutting down', { origin, error: error.stack });
    void shutdown.shutdown('uncaughtException', 1);
  });
}
