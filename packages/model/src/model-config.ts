/**
 * The model's configuration: xlm-core's `RotaryTransformerMLMModel` constructor arguments in camelCase
 * (same meaning and defaults), validation with errors that name the field, the value and what was
 * expected, and the mapping to and from xlm-core's snake_case `config.json`.
 */
import { z } from 'zod';

export type Activation = 'relu' | 'gelu';

/** Constructor options (xlm-core's arguments in camelCase). */
export interface ModelConfig {
  /** Vocabulary size V, including every special token. */
  numEmbeddings: number;
  /** Model width D. */
  dModel: number;
  /** Number of encoder layers. */
  numLayers: number;
  /** Attention heads H; D must be divisible by H (head dim = D / H). */
  nhead: number;
  /** Embedding row kept at zero and never updated (PyTorch's `padding_idx`; negative counts from the end; null = none). Default 0. */
  paddingIdx?: number | null;
  /** Stored only; the model never uses it (as in xlm-core). Default 1. */
  maskIdx?: number | null;
  /** Feed-forward width F. Default (or null) 4·D. */
  dimFeedforward?: number | null;
  /** One dropout rate for the three sites (attention probabilities, after o_proj, after the MLP). Default 0.1. */
  dropout?: number;
  /** 'relu' or 'gelu' (tanh-approximate GELU; 'gelu-tanh' is an alias). Default 'relu'. */
  activation?: Activation | 'gelu-tanh';
  /** Epsilon of every LayerNorm. Default 1e-5. */
  layerNormEps?: number;
  /** Rotary dimensions r per head (even, ≤ head dim; the rest of each head is not rotated). Default 64. */
  rotaryEmbDim?: number;
  /** Largest position id; RoPE tables hold positions 0..maxLength. Default 1024. */
  maxLength?: number;
  /** True: no LayerNorm before the output projection. Default false. */
  finalLayerWithoutNormalization?: boolean;
  /** Accepted and stored for compatibility; no effect (it only picks a PyTorch attention kernel). */
  forceFlashAttn?: boolean;
  /** Accepted and stored for compatibility; no effect here (packed batches use 3-D attention masks). */
  useFlexAttn?: boolean;
}

/** A validated configuration with every default filled in. */
export interface ResolvedModelConfig {
  numEmbeddings: number;
  dModel: number;
  numLayers: number;
  nhead: number;
  paddingIdx: number | null;
  maskIdx: number | null;
  dimFeedforward: number;
  dropout: number;
  activation: Activation;
  layerNormEps: number;
  rotaryEmbDim: number;
  maxLength: number;
  finalLayerWithoutNormalization: boolean;
  forceFlashAttn: boolean;
  useFlexAttn: boolean;
}

/** The snake_case form stored in `config.json` (xlm-core's argument names). */
export interface XlmModelConfig {
  num_embeddings: number;
  d_model: number;
  num_layers: number;
  nhead: number;
  padding_idx: number | null;
  mask_idx: number | null;
  dim_feedforward: number;
  dropout: number;
  activation: Activation;
  layer_norm_eps: number;
  rotary_emb_dim: number;
  max_length: number;
  final_layer_without_normalization: boolean;
  force_flash_attn: boolean;
  use_flex_attn: boolean;
}

export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

function expecting(what: string) {
  return { error: `expected ${what}` };
}
const integerAtLeast = (min: number, what = `an integer ≥ ${min}`) => z.number(expecting(what)).int().min(min);
const flag = () => z.boolean(expecting('a boolean'));

/**
 * Every field's check, and the words its errors use (`expected an integer ≥ 1`): the one declaration
 * both the library's validation (`resolveModelConfig`, `modelConfigFromXlm`) and the
 * `mlm/rotary-transformer` component's schema are built from.
 */
export const modelConfigFields = {
  numEmbeddings: integerAtLeast(1),
  dModel: integerAtLeast(1),
  numLayers: integerAtLeast(0),
  nhead: integerAtLeast(1),
  paddingIdx: z.number(expecting('an integer or null')).int().nullable(),
  maskIdx: integerAtLeast(0, 'an integer ≥ 0 or null').nullable(),
  dimFeedforward: integerAtLeast(1, 'an integer ≥ 1 (or null for 4·dModel)').nullable(),
  dropout: z.number(expecting('a number in [0, 1)')).min(0).lt(1),
  activation: z.enum(['relu', 'gelu', 'gelu-tanh'], expecting('"relu" or "gelu" (tanh-approximate; "gelu-tanh" is an alias)')),
  layerNormEps: z.number(expecting('a finite number > 0')).gt(0),
  rotaryEmbDim: integerAtLeast(2, 'an even integer ≥ 2'),
  maxLength: integerAtLeast(0),
  finalLayerWithoutNormalization: flag(),
  forceFlashAttn: flag(),
  useFlexAttn: flag(),
} satisfies Record<keyof ResolvedModelConfig, z.ZodType>;

/** xlm-core's name (`config.json`) of each field. */
const XLM_NAMES: Record<keyof ResolvedModelConfig, keyof XlmModelConfig> = {
  numEmbeddings: 'num_embeddings',
  dModel: 'd_model',
  numLayers: 'num_layers',
  nhead: 'nhead',
  paddingIdx: 'padding_idx',
  maskIdx: 'mask_idx',
  dimFeedforward: 'dim_feedforward',
  dropout: 'dropout',
  activation: 'activation',
  layerNormEps: 'layer_norm_eps',
  rotaryEmbDim: 'rotary_emb_dim',
  maxLength: 'max_length',
  finalLayerWithoutNormalization: 'final_layer_without_normalization',
  forceFlashAttn: 'force_flash_attn',
  useFlexAttn: 'use_flex_attn',
};

const FIELD_KEYS = Object.keys(modelConfigFields) as (keyof ResolvedModelConfig)[];
const REQUIRED: ReadonlySet<string> = new Set<keyof ResolvedModelConfig>(['numEmbeddings', 'dModel', 'numLayers', 'nhead']);

/** xlm-core's defaults (`dimFeedforward: null` = 4·dModel). */
const DEFAULTS = {
  paddingIdx: 0,
  maskIdx: 1,
  dimFeedforward: null,
  dropout: 0.1,
  activation: 'relu',
  layerNormEps: 1e-5,
  rotaryEmbDim: 64,
  maxLength: 1024,
  finalLayerWithoutNormalization: false,
  forceFlashAttn: false,
  useFlexAttn: false,
} as const;

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return String(value);
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

type Naming = 'camel' | 'xlm';
type FieldName = (key: keyof ResolvedModelConfig) => string;

const NAMES: Record<Naming, FieldName> = { camel: (key) => key, xlm: (key) => XLM_NAMES[key] };

/** Deepest model accepted (the deepest published transformers have about a hundred layers). */
export const MAX_LAYERS = 4096;
/** Most parameters accepted: 2^31 float32 values (8 GiB), beyond what a tfjs backend can hold. */
export const MAX_PARAMETERS = 2 ** 31;
/** Most values in each precomputed rotary table ([3, maxLength + 1, head dim] float32, 1 GiB). */
export const MAX_ROTARY_TABLE_ELEMENTS = 2 ** 28;

/** Number of trainable parameters of a configuration (every state_dict entry but the inv_freq buffers), computed without allocating. */
export function parameterCount(config: Pick<ResolvedModelConfig, 'numEmbeddings' | 'dModel' | 'numLayers' | 'dimFeedforward' | 'finalLayerWithoutNormalization'>): number {
  const { numEmbeddings: v, dModel: d, dimFeedforward: f, numLayers: l } = config;
  const perLayer = 4 * d * d + 2 * f * d + f + 5 * d;
  return 2 * v * d + l * perLayer + (config.finalLayerWithoutNormalization ? 0 : 2 * d);
}

/** What the cross-field checks read; the sizes a host does not know yet (vocabulary, feed-forward width, maxLength) may be absent. */
export interface ModelShape {
  dModel: number;
  nhead: number;
  numLayers: number;
  rotaryEmbDim: number;
  maxLength?: number | null | undefined;
  numEmbeddings?: number | undefined;
  dimFeedforward?: number | null | undefined;
  paddingIdx?: number | null | undefined;
  finalLayerWithoutNormalization?: boolean | undefined;
}

/**
 * The checks between fields, run once every field passed its own: head dimension, rotary dimensions,
 * and size limits checked arithmetically before anything is allocated (a hostile or mistyped
 * config.json — num_layers = 1e9, max_length = 2^40 — must be an error, not an out-of-memory crash).
 * Issues are added to a zod refinement context, named with `name` (camelCase or xlm-core's names).
 */
export function addModelShapeIssues(shape: ModelShape, context: z.RefinementCtx, name: FieldName = NAMES.camel): void {
  const issue = (key: keyof ResolvedModelConfig | null, input: unknown, message: string) =>
    context.addIssue({ code: 'custom', path: key === null ? [] : [name(key)], input, message });
  const { dModel, nhead, rotaryEmbDim, numLayers } = shape;
  const headDim = dModel / nhead;
  if (dModel % nhead !== 0) {
    issue('dModel', dModel, `expected a multiple of ${name('nhead')} = ${nhead} (the head dimension is ${name('dModel')} / ${name('nhead')})`);
  } else if (rotaryEmbDim > headDim) {
    issue('rotaryEmbDim', rotaryEmbDim, `expected at most the head dimension ${name('dModel')} / ${name('nhead')} = ${headDim}`);
  }
  if (rotaryEmbDim % 2 !== 0) issue('rotaryEmbDim', rotaryEmbDim, 'expected an even number (RoPE rotates pairs of features)');
  if (numLayers > MAX_LAYERS) {
    issue('numLayers', numLayers, `expected at most ${MAX_LAYERS} layers`);
  } else if (shape.numEmbeddings !== undefined) {
    const sizes = { numEmbeddings: shape.numEmbeddings, dModel, numLayers, dimFeedforward: shape.dimFeedforward ?? 4 * dModel };
    const count = parameterCount({ ...sizes, finalLayerWithoutNormalization: shape.finalLayerWithoutNormalization ?? false });
    if (!(count <= MAX_PARAMETERS)) {
      const listed = (Object.keys(sizes) as (keyof typeof sizes)[]).map((key) => `${name(key)} = ${sizes[key]}`).join(', ');
      issue(null, undefined, `${listed}: the model would have ${count} parameters; expected at most ${MAX_PARAMETERS} (2^31)`);
    }
  }
  if (dModel % nhead === 0 && shape.maxLength !== null && shape.maxLength !== undefined) {
    const tableElements = 3 * (shape.maxLength + 1) * headDim;
    if (!(tableElements <= MAX_ROTARY_TABLE_ELEMENTS)) {
      const largest = Math.floor(MAX_ROTARY_TABLE_ELEMENTS / (3 * headDim)) - 1;
      issue(
        'maxLength',
        shape.maxLength,
        `the rotary tables for positions 0..${name('maxLength')} would hold 3 × ${shape.maxLength + 1} × ${headDim} values each; expected ${name('maxLength')} ≤ ${largest} for a head dimension of ${headDim}`,
      );
    }
  }
  const { paddingIdx, numEmbeddings } = shape;
  if (paddingIdx !== null && paddingIdx !== undefined && numEmbeddings !== undefined && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
    issue('paddingIdx', paddingIdx, `expected an index in [${-numEmbeddings}, ${numEmbeddings - 1}] (${name('numEmbeddings')} = ${numEmbeddings}) or null`);
  }
}

/** The library's schema in one spelling: every field with xlm-core's default, the cross-field checks, and the resolved config out. */
function librarySchema(naming: Naming) {
  const name = NAMES[naming];
  const shape: Record<string, z.ZodType> = {};
  for (const key of FIELD_KEYS) {
    const field: z.ZodType = modelConfigFields[key];
    shape[name(key)] = key in DEFAULTS ? field.default(DEFAULTS[key as keyof typeof DEFAULTS]) : field;
  }
  return z
    .strictObject(shape)
    .transform((values): ResolvedModelConfig => {
      const get = (key: keyof ResolvedModelConfig) => values[name(key)];
      const resolved = Object.fromEntries(FIELD_KEYS.map((key) => [key, get(key)])) as unknown as ResolvedModelConfig;
      resolved.dimFeedforward = (get('dimFeedforward') as number | null) ?? 4 * resolved.dModel;
      resolved.activation = get('activation') === 'relu' ? 'relu' : 'gelu';
      return resolved;
    })
    .superRefine((config, context) => addModelShapeIssues(config, context, name), { when: (payload) => payload.issues.length === 0 });
}

const SCHEMAS: Record<Naming, ReturnType<typeof librarySchema>> = { camel: librarySchema('camel'), xlm: librarySchema('xlm') };

/** `field = value: expected …` per issue (the value as given; " (required)" for a missing required field). */
function describeIssues(issues: readonly z.core.$ZodIssue[], input: Record<string, unknown>, naming: Naming): string[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = FIELD_KEYS.map(NAMES[naming]).join(', ');
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} (known: ${known})`;
    }
    const key = String(issue.path[0] ?? '');
    if (key === '') return issue.message;
    const value = 'input' in issue ? issue.input : input[key];
    const camelKey = FIELD_KEYS.find((candidate) => NAMES[naming](candidate) === key);
    const required = camelKey !== undefined && REQUIRED.has(camelKey) && input[key] === undefined;
    return `${key} = ${describeValue(value)}: ${issue.message}${required ? ' (required)' : ''}`;
  });
}

function parseWith(input: unknown, naming: Naming, label: string): ResolvedModelConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ModelConfigError(`${label}: expected an object, got ${describeValue(input)}`);
  }
  const record = input as Record<string, unknown>;
  const result = SCHEMAS[naming].safeParse(record, { reportInput: true });
  if (!result.success) throw new ModelConfigError(`${label}: ${describeIssues(result.error.issues, record, naming).join('; ')}`);
  return result.data;
}

/** Validates a camelCase configuration and fills in xlm-core's defaults. */
export function resolveModelConfig(config: ModelConfig): ResolvedModelConfig {
  return parseWith(config, 'camel', 'model config');
}

/** The padding row as a non-negative index (PyTorch semantics for negative values), or null. */
export function effectivePaddingIndex(config: ResolvedModelConfig): number | null {
  if (config.paddingIdx === null) return null;
  return config.paddingIdx < 0 ? config.paddingIdx + config.numEmbeddings : config.paddingIdx;
}

/**
 * Reads xlm-core's snake_case `config.json` object. Every field is validated (types, NaN, ranges,
 * consistency); unknown fields are errors, except keys starting with `_` (Hydra's `_target_`,
 * Hugging Face's `_name_or_path`), which are ignored.
 */
export function modelConfigFromXlm(json: unknown, label = 'config.json'): ResolvedModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelConfigError(`${label}: expected a JSON object, got ${describeValue(json)}`);
  }
  const filtered = Object.fromEntries(Object.entries(json).filter(([key]) => !key.startsWith('_')));
  return parseWith(filtered, 'xlm', label);
}

/** The snake_case `config.json` object for a configuration (every argument written explicitly). */
export function modelConfigToXlm(config: ModelConfig | ResolvedModelConfig): XlmModelConfig {
  const resolved = resolveModelConfig(config);
  return {
    num_embeddings: resolved.numEmbeddings,
    d_model: resolved.dModel,
    num_layers: resolved.numLayers,
    nhead: resolved.nhead,
    padding_idx: resolved.paddingIdx,
    mask_idx: resolved.maskIdx,
    dim_feedforward: resolved.dimFeedforward,
    dropout: resolved.dropout,
    activation: resolved.activation,
    layer_norm_eps: resolved.layerNormEps,
    rotary_emb_dim: resolved.rotaryEmbDim,
    max_length: resolved.maxLength,
    final_layer_without_normalization: resolved.finalLayerWithoutNormalization,
    force_flash_attn: resolved.forceFlashAttn,
    use_flex_attn: resolved.useFlexAttn,
  };
}

/** The mapping between the two spellings (for documentation and tooling). */
export const XLM_CONFIG_NAMES: ReadonlyArray<{ camelCase: keyof ResolvedModelConfig; xlm: keyof XlmModelConfig }> = FIELD_KEYS.map((key) => ({
  camelCase: key,
  xlm: XLM_NAMES[key],
}));
