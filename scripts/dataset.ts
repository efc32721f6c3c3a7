// Generates a labelled data set from the profile tables: the catalogue (locations.tsv), the
// traveller requests (requests.tsv) and the shown stays with the simulated choices
// (labelled.tsv). The same arguments give byte-identical files.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';

import {
  DATASET_DEFAULTS,
  DEFAULT_LOCATION_PROFILES,
  DEFAULT_TRAVELLER_PROFILES,
  generateDataset,
  labelledToTsv,
  locationsToTsv,
  readLocationProfiles,
  readTravellerProfiles,
  requestsToTsv,
  summarizeDataset,
  type LocationProfile,
  type TravellerProfile,
} from '@predictq/simulation';

import { integer, isoDate, seed, USAGE_ERROR } from './lib/cli';

interface Options {
  seed: number;
  requests: number;
  shown: number;
  startDate: string;
  travellers: string;
  locations: string;
  out: string;
}

const program = new Command('dataset')
  .description('Generate a labelled data set (locations, requests, labelled pairs) as TSV files.')
  .option('--seed <n>', 'random seed', seed, DATASET_DEFAULTS.seed)
  .option('--requests <n>', 'traveller requests', integer(0, 10_000_000), DATASET_DEFAULTS.requests)
  .option(
    '--shown <n>',
    'stays shown per request',
    integer(1, 1000),
    DATASET_DEFAULTS.shownPerRequest,
  )
  .option(
    '--start-date <date>',
    'first arrival day (YYYY-MM-DD)',
    isoDate,
    DATASET_DEFAULTS.startDate,
  )
  .option('--travellers <tsv>', 'traveller profiles', DEFAULT_TRAVELLER_PROFILES)
  .option('--locations <tsv>', 'location profiles', DEFAULT_LOCATION_PROFILES)
  .option('--out <dir>', 'output directory', path.join('var', 'data'))
  .exitOverride();

async function loadProfiles(
  options: Options,
): Promise<{ travellers: TravellerProfile[]; locations: LocationProfile[] }> {
  try {
    return {
      travellers: await readTravellerProfiles(options.travellers),
      locations: await readLocationProfiles(options.locations),
    };
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(USAGE_ERROR);
  }
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

async function main(): Promise<void> {
  try {
    program.parse();
  } catch (error) {
    // Commander has already printed the message; help and version are not errors.
    if (error instanceof CommanderError && error.exitCode === 0) process.exit(0);
    process.exit(USAGE_ERROR);
  }
  const options = program.opts<Options>();
  const profiles = await loadProfiles(options);
  const dataset = generateDataset({
    seed: options.seed,
    requests: options.requests,
    shownPerRequest: options.shown,
    startDate: options.startDate,
    travellerProfiles: profiles.travellers,
    locationProfiles: profiles.locations,
  });

  await mkdir(options.out, { recursive: true });
  const files = {
    'locations.tsv': locationsToTsv(dataset.locations),
    'requests.tsv': requestsToTsv(dataset.requests),
    'labelled.tsv': labelledToTsv(dataset),
  };
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(options.out, name), text);
  }

  const s = summarizeDataset(dataset);
  const o = dataset.outcomes;
  console.log(
    [
      `seed ${options.seed}: ${s.locations} locations, ${s.requests} requests, ${s.labelled} labelled rows`,
      `requests with a choice: ${s.requestsWithChoice} (${percent(s.choiceShare)}; exploited ${o.exploited}, explored ${o.explored}, ignored ${o.ignored}, nothing acceptable ${o.nothing_acceptable})`,
      `positive rate: ${percent(s.positiveRate)}`,
      `wrote ${Object.keys(files).join(', ')} to ${options.out}`,
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
