import * as tf from '@tensorflow/tfjs-core';
import { variableFrom } from './variable-from.js';

/**
 * Exponential moving average of weights (torch_ema with use_num_updates, as xlm-core's EMACallback):
 * after every optimiser update n ← n + 1, d = min(decay, (1 + n) / (10 + n)),
 * shadow ← shadow − (1 − d)·(shadow − θ). The shadow starts as a copy of the weights.
 */
export class ExponentialMovingAverage {
  readonly decay: number;
  numUpdates = 0;
  private readonly shadow = new Map<string, tf.Variable>();
  private readonly parameters: Map<string, tf.Variable>;

  constructor(parameters: Map<string, tf.Variable>, decay: number) {
    if (!(decay >= 0 && decay < 1)) throw new Error(`EMA decay must be in [0, 1), got ${decay}`);
    this.decay = decay;
    this.parameters = parameters;
    for (const [name, variable] of parameters) this.shadow.set(name, variableFrom(() => variable.clone()));
  }

  /** The decay used by update number n (1-based). */
  static decayAt(decay: number, n: number): number {
    return Math.min(decay, (1 + n) / (10 + n));
  }

  update(): void {
    this.numUpdates += 1;
    const oneMinusDecay = 1 - ExponentialMovingAverage.decayAt(this.decay, this.numUpdates);
    tf.tidy(() => {
      for (const [name, variable] of this.parameters) {
        const shadow = this.shadow.get(name)!;
        shadow.assign(tf.sub(shadow, tf.mul(tf.sub(shadow, variable), oneMinusDecay)));
      }
    });
  }

  /** Runs `fn` with the EMA weights in the model, then puts the trained weights back (even on error). */
  async withAveragedWeights<T>(fn: () => Promise<T> | T): Promise<T> {
    const backup = new Map<string, tf.Tensor>();
    for (const [name, variable] of this.parameters) {
      backup.set(name, variable.clone());
      variable.assign(this.shadow.get(name)!);
    }
    try {
      return await fn();
    } finally {
      for (const [name, variable] of this.parameters) variable.assign(backup.get(name)!);
      for (const tensor of backup.values()) tensor.dispose();
    }
  }

  /** Copies the EMA weights into the model for good (what the reference does at the end of training). */
  copyToModel(): void {
    for (const [name, variable] of this.parameters) variable.assign(this.shadow.get(name)!);
  }

  /** Shadow weights by parameter name (owned by this object). */
  stateTensors(): Map<string, tf.Tensor> {
    return new Map(this.shadow);
  }

  loadState(tensors: ReadonlyMap<string, tf.Tensor>, numUpdates: number): void {
    for (const [name, shadow] of this.shadow) {
      const saved = tensors.get(name);
      if (!saved) throw new Error(`EMA state: missing ${name}`);
      if (saved.shape.join(',') !== shadow.shape.join(',')) throw new Error(`EMA state: ${name} has shape [${saved.shape}], expected [${shadow.shape}]`);
      tf.tidy(() => shadow.assign(tf.cast(saved, 'float32')));
    }
    this.numUpdates = numUpdates;
  }

  dispose(): void {
    for (const shadow of this.shadow.values()) shadow.dispose();
    this.shadow.clear();
  }
}
