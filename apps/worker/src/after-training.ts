// What happens once a training run has ended with a registered candidate: a run the retraining
// policy triggered carries the rollout its candidate gets (RETRAIN_ROLLOUT), and the platform
// starts it here, through the rollout package (the code POST /v1/models/{id}/rollout uses), when
// the offline rule lets the candidate be tried. A run an operator started is left as it ended.
import type { Db } from '@predictq/db';
import type { Logger } from '@predictq/logging';
import { rolloutRetrainedCandidate } from '@predictq/rollout';
import type { TrainingResult } from '@predictq/training';

export interface AfterTrainingDeps {
  db: Db;
  logger: Logger;
}

export type AfterTraining = (trainingRunId: string, result: TrainingResult) => Promise<void>;

export function afterTraining(deps: AfterTrainingDeps): AfterTraining {
  return async (trainingRunId, result) => {
    const outcome = await rolloutRetrainedCandidate(deps, trainingRunId, {
      modelId: result.candidate.modelId,
      version: result.candidate.version,
      promoted: result.promoted,
      reason: result.reason,
    });
    if (outcome.kind === 'none') {
      deps.logger.debug('training run ended; no rollout asked for', {
        trainingRunId,
        candidate: result.candidate.modelId,
        promoted: result.promoted,
      });
    }
  };
}
