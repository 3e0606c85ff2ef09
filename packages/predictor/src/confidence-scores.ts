import * as tf from '@tensorflow/tfjs-core';
import type { ConfidenceKind } from './position-strategy.js';

/**
 * Per-position confidence in [0, 1] from logits [B, L, V] (see `ConfidenceKind`), as a [B, L]
 * float32 tensor owned by the caller. All intermediates are freed.
 */
export function computeConfidence(logits: tf.Tensor3D, kind: ConfidenceKind): tf.Tensor2D {
  return tf.tidy(() => {
    const vocabSize = logits.shape[2];
    const probabilities = tf.softmax(logits);
    switch (kind) {
      case 'top-probability':
        return tf.max(probabilities, -1) as tf.Tensor2D;
      case 'margin': {
        if (vocabSize < 2) return tf.max(probabilities, -1) as tf.Tensor2D;
        const { values } = tf.topk(probabilities, 2);
        const [first, second] = tf.split(values, 2, -1) as [tf.Tensor3D, tf.Tensor3D];
        return tf.squeeze(tf.sub(first, second), [-1]) as tf.Tensor2D;
      }
      case 'entropy': {
        if (vocabSize < 2) return tf.onesLike(tf.max(probabilities, -1)) as tf.Tensor2D;
        const entropy = tf.neg(tf.sum(tf.mul(probabilities, tf.log(tf.add(probabilities, 1e-10))), -1));
        return tf.sub(1, tf.div(entropy, Math.log(vocabSize))) as tf.Tensor2D;
      }
      default:
        throw new Error(`confidence kind ${JSON.stringify(kind)} is unknown; expected top-probability, margin or entropy`);
    }
  });
}
