/**
 * Input checks of the forward pass, done before any tensor work so a bad call fails with a message
 * naming the input, the offending value and what was expected (rather than a kernel error or garbage).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardOptions } from '@mlm/types';
import type { ResolvedModelConfig } from './model-config.js';

export class ForwardInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForwardInputError';
  }
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkTensor(value: unknown, name: string): tf.Tensor {
  if (!(value instanceof tf.Tensor)) throw new ForwardInputError(`${name}: expected a tf.Tensor, got ${value === null ? 'null' : typeof value}`);
  if (value.isDisposed) throw new ForwardInputError(`${name}: the tensor has been disposed`);
  return value;
}

/** First element of int32 `data` outside [low, high], with its index; null when all are inside. */
function firstOutOfRange(data: Int32Array, low: number, high: number): { index: number; value: number } | null {
  for (let index = 0; index < data.length; index++) {
    const value = data[index] as number;
    if (value < low || value > high) return { index, value };
  }
  return null;
}

function location(index: number, shape: readonly number[]): string {
  const parts: number[] = [];
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis] as number;
    parts.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return `[${parts.join(', ')}]`;
}

/**
 * Checks inputIds, positions, the attention mask and the training options. Value ranges are checked
 * by reading the two small int32 inputs (skipped when `options.validateInputs === false`).
 * Returns [B, L].
 */
export function validateForwardInputs(inputIds: unknown, options: ForwardOptions | undefined, config: ResolvedModelConfig): [number, number] {
  const ids = checkTensor(inputIds, 'inputIds');
  if (ids.rank !== 2) throw new ForwardInputError(`inputIds: expected rank 2 [batch, length], got shape ${shapeText(ids.shape)}`);
  if (ids.dtype !== 'int32') throw new ForwardInputError(`inputIds: expected dtype int32, got ${ids.dtype}`);
  const [batch, length] = ids.shape as [number, number];
  if (batch === 0 || length === 0) throw new ForwardInputError(`inputIds: expected a non-empty batch, got shape ${shapeText(ids.shape)}`);
  if (typeof options !== 'object' || options === null) throw new ForwardInputError('options: expected an object with at least `positions`');
  const positions = checkTensor(options.positions, 'options.positions');
  if (positions.dtype !== 'int32') throw new ForwardInputError(`options.positions: expected dtype int32, got ${positions.dtype}`);
  if (positions.rank !== 2 || positions.shape[0] !== batch || positions.shape[1] !== length) {
    throw new ForwardInputError(`options.positions: expected shape ${shapeText(ids.shape)} (that of inputIds), got ${shapeText(positions.shape)}`);
  }
  if (options.attentionMask !== undefined && options.attentionMask !== null) {
    const mask = checkTensor(options.attentionMask, 'options.attentionMask');
    const ok2d = mask.rank === 2 && mask.shape[0] === batch && mask.shape[1] === length;
    const ok3d = mask.rank === 3 && mask.shape[0] === batch && mask.shape[1] === length && mask.shape[2] === length;
    if (!ok2d && !ok3d) {
      throw new ForwardInputError(
        `options.attentionMask: expected shape [${batch}, ${length}] (keys) or [${batch}, ${length}, ${length}] (query, key), got ${shapeText(mask.shape)}`,
      );
    }
    if (mask.dtype === 'string' || mask.dtype === 'complex64') throw new ForwardInputError(`options.attentionMask: expected dtype bool, got ${mask.dtype}`);
  }
  if (options.training !== undefined && typeof options.training !== 'boolean') {
    throw new ForwardInputError(`options.training: expected a boolean, got ${JSON.stringify(options.training)}`);
  }
  if (options.training === true && config.dropout > 0 && options.random === undefined) {
    throw new ForwardInputError(`options.random: required in training mode (dropout = ${config.dropout} draws its masks from it)`);
  }
  if (options.validateInputs !== false) {
    const idValues = ids.dataSync() as Int32Array;
    const badId = firstOutOfRange(idValues, 0, config.numEmbeddings - 1);
    if (badId) {
      throw new ForwardInputError(
        `inputIds${location(badId.index, ids.shape)} = ${badId.value}: expected a token id in [0, ${config.numEmbeddings - 1}] (numEmbeddings = ${config.numEmbeddings})`,
      );
    }
    const positionValues = positions.dataSync() as Int32Array;
    const badPosition = firstOutOfRange(positionValues, 0, config.maxLength);
    if (badPosition) {
      throw new ForwardInputError(
        `options.positions${location(badPosition.index, positions.shape)} = ${badPosition.value}: expected a position in [0, ${config.maxLength}] (maxLength = ${config.maxLength})`,
      );
    }
  }
  return [batch, length];
}

/** Checks the flattened row indices of `forwardAt`: int32 [N], each in [0, B·L). */
export function validateFlatPositions(flatPositions: unknown, batch: number, length: number, validateValues: boolean): void {
  const flat = checkTensor(flatPositions, 'flatPositions');
  if (flat.rank !== 1) throw new ForwardInputError(`flatPositions: expected rank 1 [N], got shape ${shapeText(flat.shape)}`);
  if (flat.dtype !== 'int32') throw new ForwardInputError(`flatPositions: expected dtype int32, got ${flat.dtype}`);
  if (validateValues) {
    const bad = firstOutOfRange(flat.dataSync() as Int32Array, 0, batch * length - 1);
    if (bad) {
      throw new ForwardInputError(
        `flatPositions[${bad.index}] = ${bad.value}: expected a flattened position b·L + i in [0, ${batch * length - 1}] (batch ${batch} × length ${length})`,
      );
    }
  }
}
