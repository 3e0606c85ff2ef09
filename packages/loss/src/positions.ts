import type { BoolCube, BoolMatrix, IntMatrix } from '@mlm/types';

/**
 * RoPE positions of the loss (xlm-core `MLMLoss.loss_fn`): `clamp(cumsum(mask, 1) − 1, min=0) · mask`,
 * so real tokens count 0, 1, 2, ... and padded positions get 0. (The predictor uses the same formula
 * without the final multiplication.)
 */
export function positionsFromAttentionMask(attentionMask: BoolMatrix): IntMatrix {
  const [batch, length] = attentionMask.shape;
  const data = new Int32Array(batch * length);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let i = b * length; i < (b + 1) * length; i++) {
      if (attentionMask.data[i]) {
        data[i] = count > 0 ? count : 0;
        count++;
      }
    }
  }
  return { data, shape: [batch, length] };
}

/**
 * The dense document mask of a packed batch (the dense form of the FlexAttention block mask xlm-core's MLMLoss builds):
 * `mask[b, q, k] = segmentIds[b, q] == segmentIds[b, k]`.
 */
export function documentMaskFromSegmentIds(segmentIds: IntMatrix): BoolCube {
  const [batch, length] = segmentIds.shape;
  const data = new Uint8Array(batch * length * length);
  for (let b = 0; b < batch; b++) {
    const row = b * length;
    for (let q = 0; q < length; q++) {
      const segment = segmentIds.data[row + q];
      const base = (row + q) * length;
      for (let k = 0; k < length; k++) if (segmentIds.data[row + k] === segment) data[base + k] = 1;
    }
  }
  return { data, shape: [batch, length, length] };
}
