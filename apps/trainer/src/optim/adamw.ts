import * as tf from '@tensorflow/tfjs-core';
import { variableFrom } from './variable-from.js';

export interface AdamWOptions {
  /** (β1, β2); PyTorch defaults (0.9, 0.999). */
  betas: readonly [number, number];
  /** Added to the denominator; PyTorch default 1e-8. */
  eps: number;
  /** Decoupled weight decay for the decay group; PyTorch AdamW default 0.01. */
  weightDecay: number;
}

/** A trainable parameter and whether it is in the weight-decay group. */
export interface OptimizedParameter {
  name: string;
  variable: tf.Variable;
  decay: boolean;
}

/**
 * AdamW with decoupled weight decay (torch.optim.AdamW, amsgrad off), on TensorFlow.js ops. TF.js's
 * AdamOptimizer has no decoupled decay, hence this. For step t (1-based) and learning rate lr:
 *   θ ← θ·(1 − lr·wd)                          (decay group only)
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * Moments are float32 variables named after the parameters (`exp_avg` / `exp_avg_sq` in checkpoints).
 */
export class AdamW {
  readonly parameters: readonly OptimizedParameter[];
  readonly options: AdamWOptions;
  private readonly firstMoments = new Map<string, tf.Variable>();
  private readonly secondMoments = new Map<string, tf.Variable>();
  /** Number of updates applied so far. */
  stepCount = 0;

  constructor(parameters: OptimizedParameter[], options: AdamWOptions) {
    const [beta1, beta2] = options.betas;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new Error(`AdamW betas must be in [0, 1), got [${beta1}, ${beta2}]`);
    if (!(options.eps > 0)) throw new Error(`AdamW eps must be positive, got ${options.eps}`);
    if (!(options.weightDecay >= 0)) throw new Error(`AdamW weightDecay must be ≥ 0, got ${options.weightDecay}`);
    const names = new Set<string>();
    for (const parameter of parameters) {
      if (names.has(parameter.name)) throw new Error(`AdamW: parameter ${parameter.name} is listed twice`);
      names.add(parameter.name);
      this.firstMoments.set(parameter.name, variableFrom(() => tf.zerosLike(parameter.variable)));
      this.secondMoments.set(parameter.name, variableFrom(() => tf.zerosLike(parameter.variable)));
    }
    this.parameters = parameters;
    this.options = options;
  }

  /** Applies one update with learning rate `lr`. `gradients` maps parameter names to gradients (not disposed). */
  step(gradients: ReadonlyMap<string, tf.Tensor> | Record<string, tf.Tensor>, lr: number): void {
    const get = (name: string) => (gradients instanceof Map ? gradients.get(name) : (gradients as Record<string, tf.Tensor>)[name]);
    const [beta1, beta2] = this.options.betas;
    const t = this.stepCount + 1;
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
    const stepSize = lr / biasCorrection1;
    const decayFactor = 1 - lr * this.options.weightDecay;
    tf.tidy(() => {
      for (const { name, variable, decay } of this.parameters) {
        const gradient = get(name);
        if (!gradient) continue; // like PyTorch: parameters without a gradient are left alone
        const m = this.firstMoments.get(name)!;
        const v = this.secondMoments.get(name)!;
        const newM = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
        const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        m.assign(newM);
        v.assign(newV);
        const decayed = decay && this.options.weightDecay > 0 ? tf.mul(variable, decayFactor) : variable;
        const denominator = tf.add(tf.div(tf.sqrt(newV), biasCorrection2Sqrt), this.options.eps);
        variable.assign(tf.sub(decayed, tf.mul(tf.div(newM, denominator), stepSize)));
      }
    });
    this.stepCount = t;
  }

  /** Moments as named tensors (`exp_avg.<param>`, `exp_avg_sq.<param>`); the caller must not dispose them. */
  stateTensors(): Map<string, tf.Tensor> {
    const result = new Map<string, tf.Tensor>();
    for (const { name } of this.parameters) {
      result.set(`exp_avg.${name}`, this.firstMoments.get(name)!);
      result.set(`exp_avg_sq.${name}`, this.secondMoments.get(name)!);
    }
    return result;
  }

  /** Restores moments (as saved by `stateTensors`) and the step count. Shapes must match. */
  loadState(tensors: ReadonlyMap<string, tf.Tensor>, stepCount: number): void {
    for (const { name, variable } of this.parameters) {
      for (const [prefix, store] of [['exp_avg', this.firstMoments], ['exp_avg_sq', this.secondMoments]] as const) {
        const key = `${prefix}.${name}`;
        const saved = tensors.get(key);
        if (!saved) throw new Error(`optimizer state: missing ${key}`);
        if (saved.shape.join(',') !== variable.shape.join(',')) {
          throw new Error(`optimizer state: ${key} has shape [${saved.shape}] but the parameter has [${variable.shape}]`);
        }
        tf.tidy(() => store.get(name)!.assign(tf.cast(saved, 'float32')));
      }
    }
    this.stepCount = stepCount;
  }

  dispose(): void {
    for (const moment of [...this.firstMoments.values(), ...this.secondMoments.values()]) moment.dispose();
    this.firstMoments.clear();
    this.secondMoments.clear();
  }
}
