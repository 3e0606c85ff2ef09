// The model's options are checked once: the `mlm/rotary-transformer` component's schema is built from the
// library's own field checks and cross-field checks, so a config and `resolveModelConfig` reject the same
// values with the same words (each host adds the field and the value in its own form).
import { describe, expect, it } from 'vitest';
import { createComponentRegistry, definePlugin, ConfigError } from '@mlm/components';
import { ModelConfigError, modelComponents, resolveModelConfig, rotaryTransformerOptionsSchema, type ModelConfig } from './index.js';

const registry = createComponentRegistry([definePlugin({ name: 'mlm', components: modelComponents })]);
const BASE: ModelConfig = { numEmbeddings: 100, dModel: 64, numLayers: 2, nhead: 4, rotaryEmbDim: 16 };
const COMPONENT_BASE = { dModel: 64, numLayers: 2, nhead: 4, rotaryEmbDim: 16 };

function componentError(options: Record<string, unknown>): ConfigError {
  try {
    registry.parseOptions('model', 'mlm/rotary-transformer', options, 'model');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(options)}`);
}

function libraryError(config: Record<string, unknown>): ModelConfigError {
  try {
    resolveModelConfig(config as unknown as ModelConfig);
  } catch (error) {
    if (error instanceof ModelConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ModelConfigError for ${JSON.stringify(config)}`);
}

describe('model options: one validation for the library and the component', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    // [what, change, field, expectation both report]
    ['zero width', { dModel: 0 }, 'dModel', 'expected an integer ≥ 1'],
    ['fractional layers', { numLayers: 1.5 }, 'numLayers', 'expected an integer ≥ 0'],
    ['string heads', { nhead: '4' }, 'nhead', 'expected an integer ≥ 1'],
    ['dropout of 1', { dropout: 1 }, 'dropout', 'expected a number in [0, 1)'],
    ['unknown activation', { activation: 'swish' }, 'activation', 'expected "relu" or "gelu"'],
    ['zero eps', { layerNormEps: 0 }, 'layerNormEps', 'expected a finite number > 0'],
    ['odd rotary', { rotaryEmbDim: 7 }, 'rotaryEmbDim', 'expected an even number (RoPE rotates pairs of features)'],
    ['rotary wider than a head', { rotaryEmbDim: 32 }, 'rotaryEmbDim', 'expected at most the head dimension dModel / nhead = 16'],
    ['width not a multiple of the heads', { dModel: 30 }, 'dModel', 'expected a multiple of nhead = 4 (the head dimension is dModel / nhead)'],
    ['too many layers', { numLayers: 5000 }, 'numLayers', 'expected at most 4096 layers'],
    ['a hostile maxLength', { maxLength: 2 ** 40 }, 'maxLength', 'the rotary tables for positions 0..maxLength would hold'],
    ['a non-boolean flag', { finalLayerWithoutNormalization: 'yes' }, 'finalLayerWithoutNormalization', 'expected a boolean'],
  ])('%s: both name the field, the value and the same expectation', (_what, change, field, expectation) => {
    const value = change[field];
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    const library = libraryError({ ...BASE, ...change });
    expect(library.message).toContain(`${field} = ${shown}: ${expectation}`);
    const component = componentError({ ...COMPONENT_BASE, ...change });
    const issue = component.issues.find((candidate) => candidate.path === `model.${field}`);
    expect(issue, JSON.stringify(component.issues)).toBeDefined();
    expect(issue!.message).toContain(expectation);
    expect(issue!.message).toMatch(new RegExp(`, got ${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('a value that fails its own check is not also reported by the cross-field checks', () => {
    expect(componentError({ ...COMPONENT_BASE, nhead: 0 }).issues.map((issue) => issue.path)).toEqual(['model.nhead']);
    expect(libraryError({ ...BASE, nhead: 0 }).message).not.toMatch(/multiple of/);
  });

  it("keeps the config's own defaults: rotary dimensions from the head, maxLength from the task", () => {
    const options = registry.parseOptions('model', 'mlm/rotary-transformer', {}, 'model');
    expect(options).toMatchObject({ dModel: 128, numLayers: 2, nhead: 4, rotaryEmbDim: null, maxLength: null, activation: 'relu' });
    // An odd head dimension (3) rotates its largest even part.
    expect(rotaryTransformerOptionsSchema.safeParse({ dModel: 6, nhead: 2 }).success).toBe(true);
    expect(componentError({ dModel: 4, nhead: 4 }).issues).toEqual([{ path: 'model.nhead', message: 'expected at most dModel / 2 = 2 (each head needs 2 rotary dimensions), got 4' }]);
  });
});
