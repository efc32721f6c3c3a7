import { choiceMetrics } from '@predictq/model';

import {
  type AnsweredPrediction,
  evaluateOffline,
  type HeldOutPrediction,
} from './offline-evaluation';

const held = (
  segment: string,
  chosen: number | null,
  candidate: number[],
  active: number[] | null,
  weight = 1,
): HeldOutPrediction => ({
  segment,
  chosen,
  candidate: { scores: candidate },
  active: active && { scores: active },
  weight,
});

const answered = (
  segment: string,
  chosen: boolean,
  servedByActive = true,
  weight = 1,
): AnsweredPrediction => ({ segment, chosen, servedByActive, weight });

describe('evaluateOffline', () => {
  const heldOut = [
    held('profile:Family', 0, [0.6, 0.2], [0.3, 0.5]),
    held('profile:Family', null, [0.1, 0.1], [0.4, 0.4]),
    held('profile:Family', 1, [0.3, 0.4], [0.5, 0.2]),
    held('profile:Luxury', 0, [0.7, 0.1], [0.2, 0.6]),
  ];
  const evaluation = evaluateOffline({
    heldOut,
    answered: [
      answered('profile:Family', true),
      answered('profile:Family', false, true, 3),
      answered('profile:Family', true, false),
      answered('profile:Luxury', true),
    ],
    minSegmentPredictions: 2,
  });

  it('scores both models on the same predictions, overall and per segment', () => {
    expect(evaluation.overall.candidate).toEqual(
      choiceMetrics(heldOut.map((p) => ({ ...p.candidate, chosen: p.chosen, weight: 1 }))),
    );
    const family = evaluation.segments['profile:Family']!;
    expect(family.candidate).toMatchObject({ predictions: 3, rows: 6, chosen: 2, mrr: 1 });
    expect(family.active).toMatchObject({ predictions: 3, chosen: 2, mrr: 0.5 });
    expect(Object.keys(evaluation.segments)).toEqual(['profile:Family', 'profile:Luxury']);
  });

  it("keeps each segment's online record of the predictions the active model served, weighted", () => {
    // Served by the active model: one chosen (weight 1), one "none fitted" (weight 3).
    expect(evaluation.segments['profile:Family']!.activeOnline).toEqual({
      predictions: 2,
      chosen: 1,
      acceptance: 0.25,
    });
    expect(evaluation.segments['profile:Luxury']!.activeOnline).toMatchObject({ acceptance: 1 });
  });

  it('pools the segments under the minimum size', () => {
    expect(evaluation.smallSegments.segments).toEqual(['profile:Luxury']);
    expect(evaluation.smallSegments.candidate).toEqual(
      evaluation.segments['profile:Luxury']!.candidate,
    );
  });

  it("passes each model's kept flags on to its metrics", () => {
    const kept = evaluateOffline({
      heldOut: [
        {
          segment: 'a',
          chosen: null,
          weight: 1,
          candidate: { scores: [0.1, 0.2], kept: [false, false] },
          active: { scores: [0.3, 0.4], kept: [true, true] },
        },
      ],
      answered: [],
      minSegmentPredictions: 1,
    });
    expect(kept.overall.candidate.rejected_repeated).toBe(0);
    expect(kept.overall.active!.rejected_repeated).toBe(1);
  });

  it('leaves the active side null without an active model', () => {
    const alone = evaluateOffline({
      heldOut: [held('a', 0, [0.5], null)],
      answered: [answered('a', true, false)],
      minSegmentPredictions: 1,
    });
    expect(alone.overall.active).toBeNull();
    expect(alone.segments.a).toMatchObject({
      active: null,
      activeOnline: { predictions: 0, chosen: 0, acceptance: null },
    });
  });
});
