// First start: when the catalogue or the active model is missing, seed the catalogue from the
// simulation and register the baseline model (its artifacts under MODEL_DIR, trained when there
// are none), make it active, and say so in the logs. Workers (BOOTSTRAP) and the scripts that
// start a platform call it; concurrent starts wait on one advisory lock, so this happens once.
import {
  activateModel,
  countLocations,
  type Db,
  getActiveModel,
  insertLocations,
  registerModel,
} from '@predictq/db';
import type { Logger } from '@predictq/logging';
import { readModelArtifacts, writeModelArtifacts } from '@predictq/model';
import {
  type Dataset,
  generateDataset,
  labelledRows,
  readLocationProfiles,
  readTravellerProfiles,
} from '@predictq/simulation';
import { sql } from 'drizzle-orm';

import { BASELINE_DIR, trainBaseline } from './baseline';

const BOOTSTRAP_LOCK = 0x70_71_62_73; // "pqbs"

export interface EnsurePlatformOptions {
  db: Db;
  modelDir: string;
  seed: number;
  logger: Logger;
}

export interface PlatformState {
  catalogue: 'present' | 'seeded';
  model: 'present' | 'loaded' | 'trained';
}

export async function ensurePlatform(options: EnsurePlatformOptions): Promise<PlatformState> {
  const { db, logger } = options;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
    let dataset: Dataset | undefined;
    const simulate = async (): Promise<Dataset> => {
      dataset ??= generateDataset({
        seed: options.seed,
        travellerProfiles: await readTravellerProfiles(),
        locationProfiles: await readLocationProfiles(),
      });
      return dataset;
    };

    let catalogue: PlatformState['catalogue'] = 'present';
    if ((await countLocations(tx)) === 0) {
      const { locations } = await simulate();
      await insertLocations(
        tx,
        locations.map(({ id: _id, ...stay }) => stay),
      );
      catalogue = 'seeded';
      logger.info('seeded the catalogue from the simulation', {
        locations: locations.length,
        seed: options.seed,
      });
    }

    let model: PlatformState['model'] = 'present';
    if (!(await getActiveModel(tx))) {
      let artifacts = await readModelArtifacts(options.modelDir, BASELINE_DIR);
      model = 'loaded';
      if (!artifacts) {
        const started = Date.now();
        const trained = trainBaseline(labelledRows(await simulate()), options.seed);
        const artifactPath = await writeModelArtifacts(
          options.modelDir,
          BASELINE_DIR,
          trained.onnx,
          trained.manifest,
        );
        artifacts = { onnx: trained.onnx, manifest: trained.manifest, artifactPath };
        model = 'trained';
        logger.info('trained the baseline model', {
          seconds: (Date.now() - started) / 1000,
          holdout: trained.metrics.holdout,
        });
      }
      const registered = await registerModel(tx, {
        name: artifacts.manifest.name,
        sha256: artifacts.manifest.sha256,
        artifactPath: artifacts.artifactPath,
        onnx: artifacts.onnx,
        manifest: artifacts.manifest,
        metrics: artifacts.manifest.metrics,
      });
      await activateModel(tx, registered.id);
      logger.info(`${model} the baseline model and made it active`, {
        modelId: registered.id,
        version: registered.version,
        sha256: registered.sha256,
        path: artifacts.artifactPath,
      });
    }
    return { catalogue, model };
  });
}
