import { createMLMPredictor } from '@mlm/predictor';
import type { MLMPredictorOptions } from '@mlm/predictor';
import { createRandom } from '@mlm/random';
import type { Model, Tokenizer } from '@mlm/types';

/** Which masked positions each step commits (the predictor's position strategies). */
export const STRATEGIES = ['top-probability', 'margin', 'entropy', 'uniform'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface DecodeSettings {
  strategy: Strategy;
  /** Most unmasking steps (a final step fills what is left). */
  steps: number;
  /** Confidence threshold: commit every position above it (at least one per step); null = a linear schedule. */
  threshold: number | null;
  temperature: number;
  topK: number | null;
  topP: number | null;
  /** Unmask left to right in blocks of this many positions; null = the whole sequence at once. */
  blockLength: number | null;
  seed: number;
}

export const DEFAULT_DECODE_SETTINGS: DecodeSettings = {
  strategy: 'top-probability',
  steps: 16,
  threshold: null,
  temperature: 1,
  topK: 1,
  topP: null,
  blockLength: null,
  seed: 0,
};

/** One frame of the step-by-step view. */
export interface DecodeFrame {
  step: number;
  final: boolean;
  ids: number[];
  /** Positions committed at this step. */
  unmasked: boolean[];
  /** Probability of the committed token where `unmasked`, NaN elsewhere. */
  confidence: number[];
}

const CONFIDENCE: Record<Exclude<Strategy, 'uniform'>, 'top_prob' | 'prob_diff' | 'entropy'> = {
  'top-probability': 'top_prob',
  margin: 'prob_diff',
  entropy: 'entropy',
};

export function predictorOptions(model: Model, tokenizer: Tokenizer, settings: DecodeSettings): MLMPredictorOptions {
  const options: MLMPredictorOptions = {
    model,
    tokenizer,
    random: createRandom(settings.seed),
    maxSteps: settings.steps,
    temperature: settings.temperature,
    topK: settings.topK,
    topP: settings.topP,
    blockLength: settings.blockLength,
  };
  if (settings.strategy === 'uniform') options.unmaskSchedule = 'linear';
  else {
    options.confidence = CONFIDENCE[settings.strategy];
    if (settings.threshold !== null) options.threshold = settings.threshold;
    else options.unmaskSchedule = 'linear';
  }
  return options;
}

/**
 * Infills the `[MASK]` ids of each prompt by iterative unmasking, one frame per step (the same loop as
 * `MLMPredictor.predict`). Same seed and backend → same ids, in Node and in the browser.
 */
export async function* decodeSteps(model: Model, tokenizer: Tokenizer, promptIds: number[], settings: DecodeSettings): AsyncGenerator<DecodeFrame> {
  if (promptIds.length === 0) throw new Error('decode: the prompt is empty');
  const predictor = createMLMPredictor(predictorOptions(model, tokenizer, settings));
  const length = promptIds.length;
  const batch = {
    inputIds: { data: Int32Array.from(promptIds), shape: [1, length] as [number, number] },
    attentionMask: { data: new Uint8Array(length).fill(1), shape: [1, length] as [number, number] },
  };
  for await (const event of predictor.stream(batch)) {
    yield {
      step: event.step,
      final: event.final,
      ids: Array.from(event.ids.data.subarray(0, length)),
      unmasked: Array.from(event.unmasked.data.subarray(0, length), Boolean),
      confidence: Array.from(event.confidence.subarray(0, length)),
    };
  }
}

/** Every frame of one decode. */
export async function decodeAll(model: Model, tokenizer: Tokenizer, promptIds: number[], settings: DecodeSettings): Promise<DecodeFrame[]> {
  const frames: DecodeFrame[] = [];
  for await (const frame of decodeSteps(model, tokenizer, promptIds, settings)) frames.push(frame);
  return frames;
}

/** Digit string (`0` = blank) → ids, blanks as `[MASK]`. */
export function sudokuPromptIds(quiz: string, tokenizer: Tokenizer): number[] {
  const digitIds = tokenizer.convertTokensToIds(Array.from({ length: 10 }, (_, d) => String(d)));
  const cells = Array.from(quiz, (character, index) => {
    const digit = character.charCodeAt(0) - 48;
    if (!(digit >= 0 && digit <= 9)) throw new Error(`quiz[${index}] = ${JSON.stringify(character)}, expected a digit`);
    return digit === 0 ? tokenizer.maskTokenId : (digitIds[digit] as number);
  });
  // The row ends with EOS, as every board the model was trained on does (without it the model never
  // saw such a row and fills blanks badly).
  return tokenizer.eosTokenId === undefined ? cells : [...cells, tokenizer.eosTokenId];
}

/** Ids → digit string, up to the row's closing EOS (anything but a digit token becomes `0`). */
export function idsToBoard(ids: readonly number[], tokenizer: Tokenizer): string {
  const end = tokenizer.eosTokenId === undefined ? -1 : ids.lastIndexOf(tokenizer.eosTokenId);
  const tokens = tokenizer.convertIdsToTokens(end < 0 ? [...ids] : ids.slice(0, end));
  return tokens.map((token) => (/^[0-9]$/.test(token) ? token : '0')).join('');
}
