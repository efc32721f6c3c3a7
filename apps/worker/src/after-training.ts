// What happens once a training run has ended with a registered candidate. This is the one place
// where the rollout policy (shadow, then canary, decided by the platform: issue 11, item 2) takes
// the candidate over; until it is wired, the promotion rule's verdict stands as run-training
// applied it, and this only logs.
import type { Logger } from '@predictq/logging';
import type { TrainingResult } from '@predictq/training';

export interface AfterTrainingDeps {
  logger: Logger;
}

export type AfterTraining = (trainingRunId: string, result: TrainingResult) => Promise<void>;

export function afterTraining(deps: AfterTrainingDeps): AfterTraining {
  return (trainingRunId, result) => {
    // TODO(rollout): start the candidate's rollout here (e.g. when the offline rule allows a
    // trial: result.evaluation.decision), instead of runTraining's direct activation.
    deps.logger.info('training run ended; no rollout policy wired', {
      trainingRunId,
      candidate: result.candidate.modelId,
      version: result.candidate.version,
      promoted: result.promoted,
    });
    return Promise.resolve();
  };
}
