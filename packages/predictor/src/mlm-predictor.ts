import * as tf from '@tensorflow/tfjs-core';
import type {
  HistoryPlugin,
  IntMatrix,
  MLMPredictionBatch,
  MLMPredictionDict,
  Model,
  Predictor,
  PredictorStepEvent,
  RandomSource,
  Tokenizer,
} from '@mlm/types';
import { BlockCursor, createBlockPlan } from './block-plan.js';
import { computeConfidence } from './confidence-scores.js';
import { ConfidencePositionStrategy } from './confidence-strategy.js';
import type { LogitsHook } from './logits-hooks.js';
import { applyLogitsHook, resolveLogitsHook } from './logits-hooks.js';
import type { MLMPredictorOptions } from './predictor-options.js';
import { mlmPredictorOptionsSchema } from './predictor-options.js';
import type { PreparedInput } from './prediction-input.js';
import { createLeftPaddedBatch, prepareInput } from './prediction-input.js';
import type { ConfidenceKind, PositionStrategy } from './position-strategy.js';
import { probabilityOf } from './sampling-math.js';
import type { TokenSampler } from './token-sampler.js';
import { createSamplerFromOptions } from './token-sampler.js';
import { unbatch } from '@mlm/collators';
import { UniformPositionStrategy } from './uniform-strategy.js';
import { parseConstructorOptions } from '@mlm/components';

const confidenceKinds: Record<'top_prob' | 'prob_diff' | 'entropy', ConfidenceKind> = {
  top_prob: 'top-probability',
  prob_diff: 'margin',
  entropy: 'entropy',
};

/** What a finished run leaves behind (the final state of the step loop). */
interface RunResult {
  ids: Int32Array;
  batchSize: number;
  length: number;
  stepsTaken: Int32Array;
  outputStartIdx: number;
  seconds: number;
  history: Record<string, unknown>[] | undefined;
}

export interface GenerateOptions {
  /** Append BOS to each prompt before padding (as `MLMSeq2SeqPredCollator`). Default true when the tokenizer has one. */
  addBos?: boolean;
  /** Cut each generated text at the first EOS. Default true. */
  stopAtEos?: boolean;
}

/**
 * Generation by iterative unmasking (xlm-core `MLMPredictor`). Each step runs the model once on the
 * whole sequence (or reuses the last logits when nothing changed), lets a position strategy choose
 * which [MASK] positions to commit, samples tokens there, and repeats until no [MASK] is left or
 * `maxSteps` steps ran; a final step then fills whatever is left. `predict` and `stream` share the
 * same step loop.
 */
export class MLMPredictor implements Predictor<MLMPredictionBatch, MLMPredictionDict> {
  readonly model: Model;
  readonly tokenizer: Tokenizer;
  readonly maxSteps: number;
  readonly maxNewTokens: number | null;
  readonly sampler: TokenSampler;
  readonly positionStrategy: PositionStrategy;
  readonly blockLength: number | null;
  readonly logitsHook: LogitsHook | null;
  readonly skipSpecialTokens: boolean;
  readonly history: HistoryPlugin | null;
  readonly cacheLogits: boolean;
  private readonly random: RandomSource;
  private readonly clock: () => number;

  constructor(options: MLMPredictorOptions) {
    const o = parseConstructorOptions(mlmPredictorOptionsSchema, options, 'MLMPredictor');
    this.model = o.model;
    this.tokenizer = o.tokenizer;
    this.random = o.random;
    this.maxSteps = o.maxSteps;
    this.maxNewTokens = o.maxNewTokens;
    this.blockLength = o.blockLength;
    this.skipSpecialTokens = o.skipSpecialTokens;
    this.history = o.history;
    this.cacheLogits = o.cacheLogits;
    this.clock = o.clock ?? (() => performance.now());
    this.logitsHook = o.logitsHook === null ? null : resolveLogitsHook(o.logitsHook);

    // Every rule between options was checked by the schema (addPredictorSettingsIssues and the rules on objects).
    this.sampler = o.sampler ?? createSamplerFromOptions({ temperature: o.temperature, topK: o.topK, topP: o.topP, method: o.samplingMethod });
    if (o.positionStrategy !== null) {
      this.positionStrategy = o.positionStrategy;
    } else if (o.confidence !== null) {
      const kind = confidenceKinds[o.confidence];
      this.positionStrategy =
        o.threshold !== null
          ? new ConfidencePositionStrategy(kind, { threshold: o.threshold, confidenceTemperature: o.confidenceTemperature })
          : new ConfidencePositionStrategy(kind, { schedule: o.unmaskSchedule!, confidenceTemperature: o.confidenceTemperature });
    } else {
      // As xlm-core: a threshold without a confidence is ignored (uniform selection).
      this.positionStrategy = new UniformPositionStrategy({ schedule: o.unmaskSchedule ?? 'linear' });
    }
  }

  /** Runs the step loop to the end and returns xlm-core's prediction fields. */
  async predict(batch: MLMPredictionBatch): Promise<MLMPredictionDict> {
    const run = this.run(batch);
    let next = await run.next();
    while (!next.done) next = await run.next();
    const result = next.value;
    const ids: IntMatrix = { data: result.ids, shape: [result.batchSize, result.length] };
    const rows = Array.from({ length: result.batchSize }, (_, b) => result.ids.subarray(b * result.length, (b + 1) * result.length));
    const prediction: MLMPredictionDict = {
      loss: null,
      text: this.tokenizer.batchDecode(rows, { skipSpecialTokens: this.skipSpecialTokens }),
      ids,
      timeTaken: new Array<number>(result.batchSize).fill(result.seconds),
      outputStartIdx: result.outputStartIdx,
      stepsTaken: Array.from(result.stepsTaken),
    };
    if (result.history !== undefined) prediction.history = result.history;
    return prediction;
  }

  /** The same loop as `predict`, one event per step (the last one has `final: true`). */
  async *stream(batch: MLMPredictionBatch): AsyncGenerator<PredictorStepEvent, void, undefined> {
    yield* this.run(batch);
  }

  /** One record per example (xlm-core `to_dict` → `unbatch`): ids as arrays, scalars copied. */
  toDict(_batch: MLMPredictionBatch, predictions: MLMPredictionDict): Record<string, unknown>[] {
    return unbatch(predictions as unknown as Record<string, unknown>, predictions.text.length);
  }

  /**
   * Text in, text out. With `maxNewTokens`: each prompt (+ BOS) is left-padded, `maxNewTokens` masks
   * are generated after it, and the generated window is decoded (cut at the first EOS). Without it:
   * the prompts are infilled (their [MASK] tokens replaced) and returned whole.
   */
  async generate(prompts: string[], options: GenerateOptions = {}): Promise<string[]> {
    if (!Array.isArray(prompts) || prompts.some((prompt) => typeof prompt !== 'string')) {
      throw new Error('MLMPredictor.generate: prompts must be an array of strings');
    }
    if (prompts.length === 0) return [];
    const tokenizer = this.tokenizer;
    const addBos = (options.addBos ?? true) && this.maxNewTokens !== null && tokenizer.bosTokenId !== undefined;
    const promptIds = prompts.map((prompt) => [...tokenizer.encode(prompt, { addSpecialTokens: false }), ...(addBos ? [tokenizer.bosTokenId as number] : [])]);
    const batch = createLeftPaddedBatch(promptIds, tokenizer.padTokenId);
    const prediction = await this.predict(batch);
    const [, width] = prediction.ids.shape;
    const stopAtEos = options.stopAtEos ?? true;
    return promptIds.map((row, b) => {
      const start = this.maxNewTokens !== null ? prediction.outputStartIdx : prediction.outputStartIdx - row.length;
      const end = this.maxNewTokens !== null ? width : prediction.outputStartIdx;
      let window = Array.from(prediction.ids.data.subarray(b * width + start, b * width + end));
      const eos = tokenizer.eosTokenId;
      if (stopAtEos && this.maxNewTokens !== null && eos !== undefined && window.includes(eos)) window = window.slice(0, window.indexOf(eos));
      return tokenizer.decode(window, { skipSpecialTokens: this.skipSpecialTokens });
    });
  }

  /** Nothing to reset (xlm-core's `reset` does nothing either); the history plugin resets per run. */
  reset(): void {}

  private async *run(batch: MLMPredictionBatch): AsyncGenerator<PredictorStepEvent, RunResult, undefined> {
    const startTime = this.clock();
    const maskTokenId = this.tokenizer.maskTokenId;
    const input = prepareInput(batch, { maskTokenId, vocabSize: this.model.numEmbeddings, maxNewTokens: this.maxNewTokens, maxPosition: this.model.maxLength });
    const { batchSize, length, ids } = input;
    const blocks =
      this.blockLength === null
        ? null
        : new BlockCursor(createBlockPlan({ windowStart: input.windowStart, length, blockLength: this.blockLength, maxSteps: this.maxSteps }), batchSize);
    this.history?.reset();

    const attentionMask = tf.tensor2d(input.attention, [batchSize, length], 'bool');
    const positions = tf.tensor2d(input.positions, [batchSize, length], 'int32');
    let logits: tf.Tensor3D | null = null;
    const stepsTaken = new Int32Array(batchSize);
    try {
      let step = 0;
      while (step < this.maxSteps && countMasks(ids, maskTokenId) > 0) {
        step++;
        for (let b = 0; b < batchSize; b++) if (rowHasMask(ids, b, length, maskTokenId)) stepsTaken[b] = (stepsTaken[b] as number) + 1;
        const cachedLogits = logits !== null;
        if (logits === null) logits = this.forward(ids, input, attentionMask, positions);
        blocks?.advance(ids, maskTokenId);

        const eligible = new Uint8Array(batchSize * length);
        const eligibleCount = new Int32Array(batchSize);
        const stepsLeft = new Int32Array(batchSize);
        const totalSteps = new Int32Array(batchSize);
        for (let b = 0; b < batchSize; b++) {
          for (let i = 0; i < length; i++) {
            const flat = b * length + i;
            if (ids[flat] === maskTokenId && (blocks === null || blocks.inCurrentBlock(b, i))) {
              eligible[flat] = 1;
              eligibleCount[b] = (eligibleCount[b] as number) + 1;
            }
          }
          stepsLeft[b] = Math.max(blocks === null ? this.maxSteps - (step - 1) : blocks.stepsLeft(b), 1);
          totalSteps[b] = blocks === null ? this.maxSteps : blocks.totalSteps(b);
        }
        const kind = this.positionStrategy.confidence;
        const confidence = kind === null ? null : await readConfidence(logits, kind);
        const selected = this.positionStrategy.select({
          batchSize,
          length,
          eligible,
          eligibleCount,
          stepsLeft,
          totalSteps,
          confidence,
          step,
          random: this.random,
        });
        if (!(selected instanceof Uint8Array) || selected.length !== batchSize * length) {
          throw new Error(`position strategy ${this.positionStrategy.name}: select() must return a Uint8Array of ${batchSize * length} flags`);
        }
        for (let b = 0; b < batchSize; b++) {
          // Semi-AR: a block's last step fills what is left of it (count schedules do so anyway).
          const fillBlock = blocks !== null && stepsLeft[b] === 1;
          for (let i = b * length; i < (b + 1) * length; i++) selected[i] = eligible[i] && (selected[i] || fillBlock) ? 1 : 0;
        }
        const committed = await this.commit(logits, ids, selected, input);
        const event = this.event(step, false, ids, input, committed, cachedLogits, !cachedLogits);
        await this.recordStep(event, logits, input);
        if (committed.changed || !this.cacheLogits) {
          logits.dispose();
          logits = null;
        }
        blocks?.afterStep();
        yield event;
      }

      // Final step: fill every [MASK] left (xlm-core always calls the model here; this skips the call
      // when nothing is left to fill, or reuses the logits when nothing changed since the last call).
      step++;
      const remaining = new Uint8Array(batchSize * length);
      for (let i = 0; i < ids.length; i++) remaining[i] = ids[i] === maskTokenId ? 1 : 0;
      const anyLeft = remaining.some((flag) => flag === 1);
      const cachedLogits = anyLeft && logits !== null;
      if (anyLeft && logits === null) logits = this.forward(ids, input, attentionMask, positions);
      const committed = anyLeft && logits !== null ? await this.commit(logits, ids, remaining, input) : emptyCommit(batchSize * length);
      const event = this.event(step, true, ids, input, committed, cachedLogits, anyLeft && !cachedLogits);
      await this.recordStep(event, logits, input);
      logits?.dispose();
      logits = null;
      yield event;
      return {
        ids,
        batchSize,
        length,
        stepsTaken,
        outputStartIdx: input.outputStartIdx,
        seconds: (this.clock() - startTime) / 1000,
        history: this.history?.toDict(),
      };
    } finally {
      logits?.dispose();
      attentionMask.dispose();
      positions.dispose();
    }
  }

  /** One forward pass (plus the logits hook); the result is owned by the caller. */
  private forward(ids: Int32Array, input: PreparedInput, attentionMask: tf.Tensor2D, positions: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const inputIds = tf.tensor2d(ids, [input.batchSize, input.length], 'int32');
      const raw = this.model.forward(inputIds, { attentionMask, positions, training: false });
      const logits = this.logitsHook === null ? raw : applyLogitsHook(this.logitsHook, raw);
      const [b, l, v] = logits.shape;
      if (b !== input.batchSize || l !== input.length || v !== this.model.numEmbeddings) {
        throw new Error(`MLMPredictor: the model returned logits of shape [${logits.shape.join(', ')}], expected [${input.batchSize}, ${input.length}, ${this.model.numEmbeddings}]`);
      }
      return logits;
    });
  }

  /** Samples tokens at the selected positions and writes them into `ids`. */
  private async commit(logits: tf.Tensor3D, ids: Int32Array, selected: Uint8Array, input: PreparedInput): Promise<Commit> {
    const result = emptyCommit(ids.length);
    const indices: number[] = [];
    for (let i = 0; i < selected.length; i++) if (selected[i]) indices.push(i);
    if (indices.length === 0) return result;
    const vocabSize = logits.shape[2];
    const gathered = tf.tidy(() => tf.gather(tf.reshape(logits, [input.batchSize * input.length, vocabSize]), tf.tensor1d(indices, 'int32')));
    let rows: Float32Array;
    try {
      rows = (await gathered.data()) as Float32Array;
    } finally {
      gathered.dispose();
    }
    const tokens = this.sampler.sample(rows, indices.length, vocabSize, this.random);
    const maskTokenId = this.tokenizer.maskTokenId;
    indices.forEach((flat, r) => {
      const token = tokens[r] as number;
      if (!(Number.isInteger(token) && token >= 0 && token < vocabSize)) {
        throw new Error(`sampler ${this.sampler.name} returned token ${token}, expected an id in [0, ${vocabSize})`);
      }
      if (ids[flat] !== token) result.changed = true;
      ids[flat] = token;
      // A sampled [MASK] leaves the position masked: it is not committed (it is re-predicted later).
      if (token !== maskTokenId) {
        result.unmasked[flat] = 1;
        result.confidence[flat] = probabilityOf(rows.subarray(r * vocabSize, (r + 1) * vocabSize), token);
      }
    });
    return result;
  }

  /** Hands a step to the history plugin, if any (returns its promise, so the caller awaits as before). */
  private recordStep(event: PredictorStepEvent, logits: tf.Tensor3D | null, input: PreparedInput): void | Promise<void> {
    return this.history?.updateHistory({
      step: event.step,
      ids: event.ids,
      unmasked: event.unmasked,
      logits,
      outputStartIdx: input.outputStartIdx,
      windowStart: input.windowStart,
      final: event.final,
    });
  }

  private event(step: number, final: boolean, ids: Int32Array, input: PreparedInput, committed: Commit, cachedLogits: boolean, modelCalled: boolean): PredictorStepEvent {
    const shape = [input.batchSize, input.length] as const;
    return {
      step,
      final,
      ids: { data: ids.slice(), shape },
      unmasked: { data: committed.unmasked, shape },
      confidence: committed.confidence,
      cachedLogits,
      modelCalled,
      outputStartIdx: input.outputStartIdx,
    };
  }
}

interface Commit {
  unmasked: Uint8Array;
  confidence: Float32Array;
  changed: boolean;
}

function emptyCommit(size: number): Commit {
  return { unmasked: new Uint8Array(size), confidence: new Float32Array(size).fill(Number.NaN), changed: false };
}

async function readConfidence(logits: tf.Tensor3D, kind: ConfidenceKind): Promise<Float32Array> {
  const confidence = computeConfidence(logits, kind);
  try {
    return (await confidence.data()) as Float32Array;
  } finally {
    confidence.dispose();
  }
}

function countMasks(ids: Int32Array, maskTokenId: number): number {
  let count = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] === maskTokenId) count++;
  return count;
}

function rowHasMask(ids: Int32Array, b: number, length: number, maskTokenId: number): boolean {
  for (let i = b * length; i < (b + 1) * length; i++) if (ids[i] === maskTokenId) return true;
  return false;
}

export function createMLMPredictor(options: MLMPredictorOptions): MLMPredictor {
  return new MLMPredictor(options);
}
