import * as tf from '@tensorflow/tfjs-core';
import type { BoolCube, BoolMatrix, IntMatrix, LossCallOptions, LossFunction, MLMBatch, MLMLossDict, Model, Tokenizer } from '@mlm/types';
import { z } from 'zod';
import { documentMaskFromSegmentIds, positionsFromAttentionMask } from './positions.js';
import { selectScoredPositions, type ScoredPositions } from './scored-positions.js';

export interface MLMLossOptions {
  model: Model;
  /** The `[MASK]` id (xlm-core sets it in `configure()` from the tokenizer). Defaults to `tokenizer.maskTokenId`. */
  maskTokenId?: number;
  /** Optional; only read for `maskTokenId` when that is not given. */
  tokenizer?: Tokenizer;
  /** xlm-core `loss_on_padding`: stored, never used (padding is decided by the collator), as in the reference. */
  lossOnPadding?: boolean;
  /**
   * xlm-core `loss_on_visible_tokens`, default false. True: every position with a target is scored,
   * and the denominator is the number of ALL positions of the batch (-100 targets included), which is
   * the reference's definition.
   */
  lossOnVisibleTokens?: boolean;
  /**
   * xlm-core `use_num_masked_factor`, default false. True: each scored position's cross-entropy is
   * multiplied by 1 / (number of [MASK] inputs in its row + 1). The reference broadcasts the (B,)
   * factor against (B, L) along the wrong axis (a shape error unless B == 1 or L == B); this applies
   * it per row as intended (identical for B == 1).
   */
  useNumMaskedFactor?: boolean;
}

const isModel = (value: unknown): value is Model =>
  typeof value === 'object' && value !== null && typeof (value as Model).forward === 'function' && Number.isInteger((value as Model).numEmbeddings);

const optionsSchema = z
  .object({
    model: z.custom<Model>(isModel, { message: 'expected a Model (with forward() and an integer numEmbeddings)' }),
    maskTokenId: z.number().int().nonnegative().optional(),
    tokenizer: z.custom<Tokenizer>((value) => typeof value === 'object' && value !== null, { message: 'expected a Tokenizer' }).optional(),
    lossOnPadding: z.boolean().default(false),
    lossOnVisibleTokens: z.boolean().default(false),
    useNumMaskedFactor: z.boolean().default(false),
  })
  .strict();

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return JSON.stringify(value);
}

/** Added to the denominator, as xlm-core's `masked_mean` does: an empty selection gives exactly 0. */
const DENOMINATOR_EPSILON = 1e-9;

function checkMatrix(name: string, value: IntMatrix | BoolMatrix | undefined, batch: number, length: number): void {
  if (value === undefined) return;
  const [rows, columns] = value.shape;
  if (rows !== batch || columns !== length || value.data.length !== batch * length) {
    throw new Error(`MLMLoss: batch.${name} has shape [${value.shape.join(', ')}] (${value.data.length} values); expected [${batch}, ${length}] like batch.inputIds`);
  }
}

/**
 * xlm-core `MLMLoss`: cross-entropy on the positions whose input is `[MASK]`, averaged over all of
 * them in the batch (Σ CE / (count + 1e-9); exactly 0 when nothing is scored, still differentiable).
 *
 * Positions come from `batch.positions` when present (packed batches), otherwise from the attention
 * mask (`positionsFromAttentionMask`). A packed batch with `segmentIds` but no `attentionMask` gets the
 * dense document mask. With `model.forwardAt`, only the scored rows get the final LayerNorm and output
 * projection. The cross-entropy uses `logSoftmax` and a one-hot pick (no gather gradient, no logSumExp).
 *
 * Difference from the reference: the caller's batch is never modified (the reference writes -100 into
 * `target_ids` in place).
 */
export class MLMLoss implements LossFunction<MLMBatch, MLMLossDict> {
  readonly model: Model;
  readonly maskTokenId: number;
  readonly lossOnPadding: boolean;
  readonly lossOnVisibleTokens: boolean;
  readonly useNumMaskedFactor: boolean;

  constructor(options: MLMLossOptions) {
    const parsed = optionsSchema.safeParse(options ?? {}, { reportInput: true });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) =>
        issue.code === 'unrecognized_keys' ? `unknown option(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}` : `option ${issue.path.join('.')} = ${describeValue((issue as { input?: unknown }).input)}: ${issue.message}`,
      );
      throw new Error(`MLMLoss: ${problems.join('; ')}`);
    }
    const { model, tokenizer } = parsed.data;
    const maskTokenId = parsed.data.maskTokenId ?? tokenizer?.maskTokenId;
    if (maskTokenId === undefined) throw new Error('MLMLoss: option maskTokenId = undefined: give maskTokenId (or a tokenizer)');
    if (!Number.isInteger(maskTokenId) || maskTokenId < 0 || maskTokenId >= model.numEmbeddings) {
      throw new Error(`MLMLoss: option maskTokenId = ${maskTokenId}: expected an id in [0, ${model.numEmbeddings}) (the model's vocabulary)`);
    }
    this.model = model;
    this.maskTokenId = maskTokenId;
    this.lossOnPadding = parsed.data.lossOnPadding;
    this.lossOnVisibleTokens = parsed.data.lossOnVisibleTokens;
    this.useNumMaskedFactor = parsed.data.useNumMaskedFactor;
  }

  /**
   * The loss of one batch. Returns tensors the caller owns: call it inside `tf.tidy`,
   * `tf.variableGrads` or an optimiser's `minimize`, or dispose the results.
   */
  call(batch: MLMBatch, options: LossCallOptions = {}): MLMLossDict {
    const { inputIds, targetIds } = batch;
    if (inputIds === undefined || inputIds.shape.length !== 2) throw new Error('MLMLoss: batch.inputIds is required, an IntMatrix of shape [B, L]');
    const [batchSize, length] = inputIds.shape;
    if (targetIds === undefined) throw new Error('MLMLoss: batch.targetIds is required (the original ids, -100 where no loss is wanted)');
    checkMatrix('inputIds', inputIds, batchSize, length);
    checkMatrix('targetIds', targetIds, batchSize, length);
    const { attentionMask, positions } = this.attentionAndPositions(batch, batchSize, length);
    const selection = selectScoredPositions(inputIds, targetIds, {
      maskTokenId: this.maskTokenId,
      vocabSize: this.model.numEmbeddings,
      lossOnVisibleTokens: this.lossOnVisibleTokens,
      useNumMaskedFactor: this.useNumMaskedFactor,
    });
    return tf.tidy(() => {
      const ids = tf.tensor2d(inputIds.data, [batchSize, length], 'int32');
      const forwardOptions = {
        positions: tf.tensor2d(positions.data, [batchSize, length], 'int32'),
        ...(attentionMask ? { attentionMask: tf.tensor(attentionMask.data, [...attentionMask.shape], 'bool') } : {}),
        training: options.training ?? false,
        ...(options.random ? { random: options.random } : {}),
      };
      const sum = this.crossEntropySum(ids, forwardOptions, selection, batchSize * length);
      const loss = tf.div(sum, tf.scalar(selection.denominator + DENOMINATOR_EPSILON)) as tf.Scalar;
      return { loss, numScored: tf.scalar(selection.denominator) };
    });
  }

  private attentionAndPositions(batch: MLMBatch, batchSize: number, length: number): { attentionMask: BoolMatrix | BoolCube | undefined; positions: IntMatrix } {
    const { attentionMask, positions, segmentIds } = batch;
    if (attentionMask !== undefined) {
      const expected = attentionMask.shape.length === 3 ? [batchSize, length, length] : [batchSize, length];
      if (attentionMask.shape.length !== expected.length || attentionMask.shape.some((size, i) => size !== expected[i])) {
        throw new Error(`MLMLoss: batch.attentionMask has shape [${attentionMask.shape.join(', ')}]; expected [${batchSize}, ${length}] or [${batchSize}, ${length}, ${length}]`);
      }
    }
    if (positions !== undefined) {
      checkMatrix('positions', positions, batchSize, length);
      checkMatrix('segmentIds', segmentIds, batchSize, length);
      const mask = attentionMask ?? (segmentIds !== undefined ? documentMaskFromSegmentIds(segmentIds) : undefined);
      return { attentionMask: mask, positions };
    }
    if (attentionMask === undefined) {
      throw new Error('MLMLoss: batch.attentionMask is required unless the batch carries positions (packed batches: positions + segmentIds)');
    }
    if (attentionMask.shape.length !== 2) throw new Error('MLMLoss: a 3-D batch.attentionMask needs batch.positions (positions cannot be derived from it)');
    return { attentionMask, positions: positionsFromAttentionMask(attentionMask as BoolMatrix) };
  }

  /** Σ weight · CE over the selected positions, as a scalar connected to the model's parameters. */
  private crossEntropySum(
    ids: tf.Tensor2D,
    forwardOptions: Parameters<Model['forward']>[1],
    selection: ScoredPositions,
    numPositions: number,
  ): tf.Scalar {
    const vocabSize = this.model.numEmbeddings;
    const { flatIndices, targets, weights } = selection;
    if (flatIndices.length === 0) {
      // Nothing scored: 0, kept connected to the parameters so that gradients exist (all zero).
      const logits = this.model.forwardAt ? this.model.forwardAt(ids, forwardOptions, tf.tensor1d([0], 'int32')) : this.model.forward(ids, forwardOptions);
      return tf.mul(tf.sum(logits), 0) as tf.Scalar;
    }
    let logits: tf.Tensor2D;
    let rowTargets: Int32Array;
    let rowWeights: Float32Array | null;
    if (this.model.forwardAt) {
      logits = this.model.forwardAt(ids, forwardOptions, tf.tensor1d(flatIndices, 'int32'));
      rowTargets = targets;
      rowWeights = weights;
    } else {
      // No fast path: score every position, with weight 0 where nothing is scored (no gather gradient).
      logits = tf.reshape(this.model.forward(ids, forwardOptions), [numPositions, vocabSize]) as tf.Tensor2D;
      rowTargets = new Int32Array(numPositions);
      rowWeights = new Float32Array(numPositions);
      flatIndices.forEach((flat, n) => {
        rowTargets[flat] = targets[n] as number;
        (rowWeights as Float32Array)[flat] = weights ? (weights[n] as number) : 1;
      });
    }
    const logProbabilities = tf.logSoftmax(logits);
    // int32 one-hot then a cast: tfjs-backend-wasm 4.22's OneHot ignores its dtype argument (it writes
    // int32 bits into a float32 tensor).
    const targetsOneHot = tf.cast(tf.oneHot(tf.tensor1d(rowTargets, 'int32'), vocabSize), 'float32');
    const picked = tf.sum(tf.mul(logProbabilities, targetsOneHot), 1);
    const weighted = rowWeights ? tf.mul(picked, tf.tensor1d(rowWeights, 'float32')) : picked;
    return tf.neg(tf.sum(weighted)) as tf.Scalar;
  }
}

export function createMLMLoss(options: MLMLossOptions): MLMLoss {
  return new MLMLoss(options);
}
