// npm run scenario:drift: the drift scenario (scripts/lib/scenario/drift-scenario.ts) against a
// running platform, or with --start against a fresh platform of its own for each seed of
// --seeds, ending with a table of the outcomes per seed and a tally.
import { writeFile } from 'node:fs/promises';

import { Command, InvalidArgumentError } from 'commander';

import { integer, seed, seedList, USAGE_ERROR } from './lib/cli';
import { withPlatform } from './lib/platform/platform';
import {
  addPlatformOptions,
  checkPlatformOptions,
  Interrupted,
  platformSpec,
  withWorkspace,
} from './lib/platform/platform-options';
import {
  type DriftOptions,
  type DriftOutcome,
  runDriftScenario,
} from './lib/scenario/drift-scenario';
import { formatDriftTally } from './lib/scenario/drift-tally';

function parse() {
  const command = addPlatformOptions(
    new Command('scenario:drift')
      .description('Run the drift scenario against predictq and tell what happened.')
      .option(
        '--url <url>',
        'the API of a running platform',
        process.env.URL ?? 'http://localhost:8000',
      )
      .option(
        '--token <token>',
        'operator token (default: env ADMIN_TOKEN)',
        process.env.ADMIN_TOKEN,
      )
      .option('-n, --sessions <n>', 'sessions per traffic phase', integer(50, 100_000), 1500)
      .option('-p, --parallel <n>', 'simulated users at once', integer(1, 1000), 32)
      .option('--seed <n>', 'seed of the simulated users (each phase adds its number)', seed, 1)
      .option('--json <file>', 'write the outcomes (one per seed, with the rollout) as JSON')
      .option(
        '--seeds <list>',
        'with --start: one run per seed, fresh platform each (1..5 or 1,4,9)',
        seedList,
      ),
  ).parse();
  const options = command.opts<DriftOptions & { seeds?: number[]; json?: string }>();
  const platform = checkPlatformOptions(command);
  if (options.seeds && !platform.start) throw new InvalidArgumentError('--seeds needs --start');
  if (options.seeds && command.getOptionValueSource('seed') === 'cli') {
    throw new InvalidArgumentError('--seed or --seeds, not both');
  }
  return { options, platform, seeds: options.seeds ?? [options.seed] };
}

async function main(): Promise<void> {
  const { options, platform, seeds } = parse();
  const writeJson = async (outcomes: DriftOutcome[]) => {
    if (options.json) await writeFile(options.json, `${JSON.stringify({ outcomes }, null, 2)}\n`);
  };
  if (!platform.start) {
    await writeJson([await runDriftScenario(options)]);
    return;
  }
  const log = (line: string) => console.log(line);
  const outcomes = await withWorkspace('scenario', platform, log, async (ws, signal) => {
    const done: DriftOutcome[] = [];
    for (const seedOfRun of seeds) {
      log(`\nseed ${seedOfRun}:`);
      done.push(
        await withPlatform(ws, platformSpec(platform), signal, (started) =>
          runDriftScenario({
            ...options,
            seed: seedOfRun,
            url: started.apis[0]!.url,
            token: started.adminToken,
          }),
        ),
      );
      await writeJson(done); // a long tally keeps what it has if it is stopped
    }
    return done;
  });
  await writeJson(outcomes);
  if (outcomes.length > 1) console.log(`\n${formatDriftTally(outcomes)}`);
}

main().catch((error: unknown) => {
  console.error(`scenario:drift: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Interrupted) process.exit(130);
  process.exit(
    error instanceof InvalidArgumentError ||
      (error instanceof Error && error.name === 'ConfigError')
      ? USAGE_ERROR
      : 1,
  );
});
