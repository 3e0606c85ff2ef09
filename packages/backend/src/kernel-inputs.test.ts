import type { TensorInfo } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { float32Input } from './kernel-inputs.js';

describe('float32Input', () => {
  const info = (dtype: TensorInfo['dtype']): TensorInfo => ({ dataId: {}, shape: [2, 3], dtype });

  it('passes a float32 input through', () => {
    const x = info('float32');
    expect(float32Input('MlmLayerNorm', 'x', x)).toBe(x);
  });

  it('names the kernel and the input when it is missing or not float32', () => {
    expect(() => float32Input('MlmLayerNormGrad', 'dy', undefined)).toThrow('MlmLayerNormGrad: the input dy is missing');
    expect(() => float32Input('MlmRotaryApply', 'cos', info('int32'))).toThrow('MlmRotaryApply: cos has dtype int32; expected float32');
  });
});
