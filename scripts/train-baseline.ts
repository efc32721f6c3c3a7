// Trains the baseline model from a labelled data set (npm run dataset), exports it to ONNX with
// its manifest under <MODEL_DIR>/baseline/, and registers it as the active model. The same seed
// and data give the same model bytes.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { BASELINE_DIR, trainBaseline } from '@predictq/bootstrap';
import { commonEnvSchema, parseEnv } from '@predictq/config';
import { activateModel, openMigratedDatabase, registerModel } from '@predictq/db';
import { writeModelArtifacts } from '@predictq/model';
import {
  generateDataset,
  labelledRows,
  type LabelledRow,
  parseLabelledTsv,
  readLocationProfiles,
  readTravellerProfiles,
} from '@predictq/simulation';
import { Command } from 'commander';

import { seed, USAGE_ERROR } from './lib/cli';

interface Options {
  data: string;
  seed: number;
  register: boolean;
}

async function loadRows(options: Options): Promise<LabelledRow[]> {
  const file = path.join(options.data, 'labelled.tsv');
  try {
    return parseLabelledTsv(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  console.log(`no ${file}: generating the data set in memory (seed ${options.seed})`);
  const dataset = generateDataset({
    seed: options.seed,
    travellerProfiles: await readTravellerProfiles(),
    locationProfiles: await readLocationProfiles(),
  });
  return labelledRows(dataset);
}

async function main(): Promise<void> {
  const program = new Command('train:baseline')
    .description('Train the baseline model, export it to ONNX and make it the active model.')
    .option('--data <dir>', 'directory holding labelled.tsv', path.join('var', 'data'))
    .option('--seed <n>', 'training seed', seed, 42)
    .option('--no-register', 'only write the files; do not register the model')
    .parse();
  const options = program.opts<Options>();
  const env = parseEnv(commonEnvSchema);

  const rows = await loadRows(options);
  const started = Date.now();
  const trained = trainBaseline(rows, options.seed);
  const seconds = (Date.now() - started) / 1000;
  const artifactPath = await writeModelArtifacts(
    env.MODEL_DIR,
    BASELINE_DIR,
    trained.onnx,
    trained.manifest,
  );
  const holdout = trained.metrics.holdout;
  console.log(`trained on ${rows.length} rows in ${seconds.toFixed(1)} s`);
  console.log(
    `wrote ${path.join(env.MODEL_DIR, artifactPath)} (sha256 ${trained.manifest.sha256})`,
  );
  console.log(
    `holdout: AUC ${holdout.auc?.toFixed(4) ?? 'n/a'}, accuracy ${holdout.accuracy.toFixed(4)}, ` +
      `precision ${holdout.precision.toFixed(4)}, recall ${holdout.recall.toFixed(4)}, ` +
      `F1 ${holdout.f1.toFixed(4)}, log-loss ${holdout.log_loss.toFixed(4)}`,
  );
  if (!options.register) return;

  const { database } = await openMigratedDatabase({ url: env.DATABASE_URL, poolSize: 1 });
  try {
    const model = await registerModel(database.db, {
      name: trained.manifest.name,
      sha256: trained.manifest.sha256,
      artifactPath,
      onnx: trained.onnx,
      manifest: trained.manifest,
      metrics: trained.manifest.metrics,
    });
    await activateModel(database.db, model.id);
    console.log(
      `${model.created ? 'registered as' : 'same bytes as registered'} model ${model.id} ` +
        `(version ${model.version}); it is the active model`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof Error && error.name === 'ConfigError' ? USAGE_ERROR : 1);
});
