import * as tf from '@tensorflow/tfjs-core';

/** Transforms the model's logits [B, L, V] before positions and tokens are chosen. Returns a new tensor. */
export type LogitsHookFunction = (logits: tf.Tensor3D) => tf.Tensor3D;
export type LogitsHook = LogitsHookFunction | { call(logits: tf.Tensor3D): tf.Tensor3D };

export function applyLogitsHook(hook: LogitsHook, logits: tf.Tensor3D): tf.Tensor3D {
  return typeof hook === 'function' ? hook(logits) : hook.call(logits);
}

/**
 * xlm-core `LogitsShiftBy1`: position 0 keeps its own logits, position i ≥ 1 takes those computed at
 * position i − 1 (for backbones trained autoregressively). Per-position values [0, 1, 2, 3] → [0, 0, 1, 2].
 */
export function logitsShiftBy1(logits: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batchSize, length, vocabSize] = logits.shape;
    if (length <= 1) return tf.clone(logits);
    return tf.concat([tf.slice(logits, [0, 0, 0], [batchSize, 1, vocabSize]), tf.slice(logits, [0, 0, 0], [batchSize, length - 1, vocabSize])], 1);
  });
}

export class LogitsShiftBy1 {
  call(logits: tf.Tensor3D): tf.Tensor3D {
    return logitsShiftBy1(logits);
  }
}

/**
 * The built-in hooks by name: `shift-by-1`, and the names xlm-core configs use for it. Other hooks are
 * functions, or `logits-hook` components.
 */
export const builtInLogitsHooks: Readonly<Record<string, LogitsHookFunction>> = {
  'shift-by-1': logitsShiftBy1,
  LogitsShiftBy1: logitsShiftBy1,
  'mlm.LogitsShiftBy1': logitsShiftBy1,
  'mlm.predictor_mlm.LogitsShiftBy1': logitsShiftBy1,
};

/** A built-in hook by name, or the hook itself. */
export function resolveLogitsHook(hook: string | LogitsHook): LogitsHook {
  if (typeof hook !== 'string') return hook;
  const found = builtInLogitsHooks[hook];
  if (found === undefined) throw new Error(`logits hook ${JSON.stringify(hook)} is unknown; expected one of ${Object.keys(builtInLogitsHooks).join(', ')}, a function or { call }`);
  return found;
}
