import { z } from 'zod';

/**
 * One step of one example's history, stored as `<outputDir>/<runId>_<b>/<step>.json`:
 * - `step`: 1-based step number (the final fill step is the last one, `final: true`);
 * - `x`: the example's tokens in the recorded window after the step;
 * - `topkIds` / `topkProbs`: per window position, the k most probable token ids and their
 *   probabilities (softmax of the step's logits, descending), or null when the step ran no model.
 */
export const historyStepRecordSchema = z.object({
  step: z.number().int().min(0),
  final: z.boolean().optional(),
  x: z.array(z.number().int()),
  topkIds: z.array(z.array(z.number().int())).nullable(),
  topkProbs: z.array(z.array(z.number())).nullable(),
});

export type HistoryStepRecord = z.infer<typeof historyStepRecordSchema>;
