/** Helpers of this package's tests (not exported from the package). */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import type { ForwardOptions, Model } from '@mlm/types';

export const BACKENDS = ['wasm', 'cpu'] as const;

/** The xlm-core parity fixture (the repository's `fixtures/xlm-parity/basic`, found from this file, not the working directory). */
export const PARITY_FIXTURE = fileURLToPath(new URL('../../../fixtures/xlm-parity/basic', import.meta.url));

export async function useBackend(backend: (typeof BACKENDS)[number]): Promise<void> {
  const info = await initializeBackend({ backend, log: () => {} });
  if (tf.getBackend() !== backend) throw new Error(`expected backend ${backend}, got ${tf.getBackend()}`);
  // CI installs a C compiler and OpenBLAS: there the wasm runs (parity fixture included) must use the
  // native products, not silently the XNNPACK fallback.
  if (backend === 'wasm' && process.env.CI && !info.nativeKernels?.enabled) {
    throw new Error(`CI: expected wasm with native kernels, got: ${info.description}`);
  }
}

export interface RecordedCall {
  positions: number[][];
  attentionMask: unknown;
  training: boolean | undefined;
  flatPositions?: number[];
}

/**
 * A Model whose logits are a fixed [B, L, V] variable (so gradients exist). It records what the
 * loss passed to it. `withForwardAt` adds the fast path (selection by a one-hot matmul, so its
 * gradient works on every backend).
 */
export class FixedLogitsModel implements Model {
  readonly numEmbeddings: number;
  readonly calls: RecordedCall[] = [];
  readonly logits: tf.Variable;
  forwardAt?: Model['forwardAt'];

  constructor(values: Float32Array | number[], readonly shape: [number, number, number], withForwardAt: boolean) {
    this.numEmbeddings = shape[2];
    this.logits = tf.variable(tf.tensor3d(values, shape, 'float32'), true, `fixed-logits-${Math.random()}`);
    if (withForwardAt) {
      this.forwardAt = (inputIds, options, flatPositions) => {
        this.record(options, flatPositions);
        const [batch, length, vocab] = this.shape;
        return tf.tidy(() => {
          const select = tf.cast(tf.oneHot(flatPositions, batch * length), 'float32');
          return tf.matMul(select, tf.reshape(this.logits, [batch * length, vocab])) as tf.Tensor2D;
        });
      };
    }
  }

  private record(options: ForwardOptions, flatPositions?: tf.Tensor1D): void {
    this.calls.push({
      positions: options.positions.arraySync(),
      attentionMask: options.attentionMask?.arraySync(),
      training: options.training,
      ...(flatPositions ? { flatPositions: flatPositions.arraySync() } : {}),
    });
  }

  forward(inputIds: tf.Tensor2D, options: ForwardOptions): tf.Tensor3D {
    this.record(options);
    return tf.mul(this.logits, 1) as tf.Tensor3D;
  }

  namedParameters(): Map<string, tf.Variable> {
    return new Map([['logits', this.logits]]);
  }
  getNamedParamsForWeightDecay(): string[] {
    return ['logits'];
  }
  getNamedParamsForNoWeightDecay(): string[] {
    return [];
  }
  dispose(): void {
    this.logits.dispose();
  }
}
