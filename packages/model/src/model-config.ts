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

interface FieldSpec {
  key: keyof ResolvedModelConfig;
  xlm: keyof XlmModelConfig;
  schema: z.ZodType;
  expectation: string;
  required: boolean;
}

const integer = () => z.number().int();

/** One row per field: camelCase name, xlm-core name, check, and the words used in errors. */
const FIELDS: readonly FieldSpec[] = [
  { key: 'numEmbeddings', xlm: 'num_embeddings', schema: integer().min(1), expectation: 'an integer ≥ 1', required: true },
  { key: 'dModel', xlm: 'd_model', schema: integer().min(1), expectation: 'an integer ≥ 1', required: true },
  { key: 'numLayers', xlm: 'num_layers', schema: integer().min(0), expectation: 'an integer ≥ 0', required: true },
  { key: 'nhead', xlm: 'nhead', schema: integer().min(1), expectation: 'an integer ≥ 1', required: true },
  { key: 'paddingIdx', xlm: 'padding_idx', schema: integer().nullable(), expectation: 'an integer or null', required: false },
  { key: 'maskIdx', xlm: 'mask_idx', schema: integer().min(0).nullable(), expectation: 'an integer ≥ 0 or null', required: false },
  { key: 'dimFeedforward', xlm: 'dim_feedforward', schema: integer().min(1).nullable(), expectation: 'an integer ≥ 1 (or null for 4·dModel)', required: false },
  { key: 'dropout', xlm: 'dropout', schema: z.number().min(0).lt(1), expectation: 'a number in [0, 1)', required: false },
  {
    key: 'activation',
    xlm: 'activation',
    schema: z.enum(['relu', 'gelu', 'gelu-tanh']),
    expectation: '"relu" or "gelu" (tanh-approximate; "gelu-tanh" is an alias)',
    required: false,
  },
  { key: 'layerNormEps', xlm: 'layer_norm_eps', schema: z.number().gt(0), expectation: 'a finite number > 0', required: false },
  { key: 'rotaryEmbDim', xlm: 'rotary_emb_dim', schema: integer().min(2), expectation: 'an even integer ≥ 2', required: false },
  { key: 'maxLength', xlm: 'max_length', schema: integer().min(0), expectation: 'an integer ≥ 0', required: false },
  { key: 'finalLayerWithoutNormalization', xlm: 'final_layer_without_normalization', schema: z.boolean(), expectation: 'a boolean', required: false },
  { key: 'forceFlashAttn', xlm: 'force_flash_attn', schema: z.boolean(), expectation: 'a boolean', required: false },
  { key: 'useFlexAttn', xlm: 'use_flex_attn', schema: z.boolean(), expectation: 'a boolean', required: false },
];

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

function nameOf(field: FieldSpec, naming: Naming): string {
  return naming === 'camel' ? field.key : field.xlm;
}

function buildSchema(naming: Naming) {
  const shape: Record<string, z.ZodType> = {};
  for (const field of FIELDS) shape[nameOf(field, naming)] = field.required ? field.schema : field.schema.optional();
  return z.object(shape).strict();
}

const SCHEMAS: Record<Naming, ReturnType<typeof buildSchema>> = { camel: buildSchema('camel'), xlm: buildSchema('xlm') };

function formatIssues(error: z.ZodError, input: Record<string, unknown>, naming: Naming, label: string): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = FIELDS.map((field) => nameOf(field, naming)).join(', ');
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} (known: ${known})`;
    }
    const key = String(issue.path[0] ?? '');
    const field = FIELDS.find((candidate) => nameOf(candidate, naming) === key);
    if (!field) return issue.message;
    return `${key} = ${describeValue(input[key])}: expected ${field.expectation}${field.required && input[key] === undefined ? ' (required)' : ''}`;
  });
  return `${label}: ${lines.join('; ')}`;
}

/** Deepest model accepted (the deepest published transformers have about a hundred layers). */
export const MAX_LAYERS = 4096;
/** Most parameters accepted: 2^31 float32 values (8 GiB), beyond what a tfjs backend can hold. */
export const MAX_PARAMETERS = 2 ** 31;
/** Most values in each precomputed rotary table ([3, maxLength + 1, head dim] float32, 1 GiB). */
export const MAX_ROTARY_TABLE_ELEMENTS = 2 ** 28;

/** Number of trainable parameters of a configuration (every state_dict entry but the inv_freq buffers), computed without allocating. */
export function parameterCount(config: ResolvedModelConfig): number {
  const { numEmbeddings: v, dModel: d, dimFeedforward: f, numLayers: l } = config;
  const perLayer = 4 * d * d + 2 * f * d + f + 5 * d;
  return 2 * v * d + l * perLayer + (config.finalLayerWithoutNormalization ? 0 : 2 * d);
}

/** Cross-field checks and defaults, after each field passed its own check. */
function resolve(values: Record<string, unknown>, naming: Naming, label: string): ResolvedModelConfig {
  const get = <K extends keyof ResolvedModelConfig>(key: K): unknown => {
    const field = FIELDS.find((candidate) => candidate.key === key)!;
    return values[nameOf(field, naming)];
  };
  const name = (key: keyof ResolvedModelConfig) => nameOf(FIELDS.find((candidate) => candidate.key === key)!, naming);
  const numEmbeddings = get('numEmbeddings') as number;
  const dModel = get('dModel') as number;
  const nhead = get('nhead') as number;
  const activation = (get('activation') as string | undefined) ?? 'relu';
  const paddingIdx = get('paddingIdx') === undefined ? 0 : (get('paddingIdx') as number | null);
  const resolved: ResolvedModelConfig = {
    numEmbeddings,
    dModel,
    numLayers: get('numLayers') as number,
    nhead,
    paddingIdx,
    maskIdx: get('maskIdx') === undefined ? 1 : (get('maskIdx') as number | null),
    dimFeedforward: (get('dimFeedforward') as number | null | undefined) ?? 4 * dModel,
    dropout: (get('dropout') as number | undefined) ?? 0.1,
    activation: activation === 'relu' ? 'relu' : 'gelu',
    layerNormEps: (get('layerNormEps') as number | undefined) ?? 1e-5,
    rotaryEmbDim: (get('rotaryEmbDim') as number | undefined) ?? 64,
    maxLength: (get('maxLength') as number | undefined) ?? 1024,
    finalLayerWithoutNormalization: (get('finalLayerWithoutNormalization') as boolean | undefined) ?? false,
    forceFlashAttn: (get('forceFlashAttn') as boolean | undefined) ?? false,
    useFlexAttn: (get('useFlexAttn') as boolean | undefined) ?? false,
  };
  const problems: string[] = [];
  if (dModel % nhead !== 0) {
    problems.push(`${name('dModel')} = ${dModel}: expected a multiple of ${name('nhead')} = ${nhead} (the head dimension is ${name('dModel')} / ${name('nhead')})`);
  } else {
    const headDim = dModel / nhead;
    if (resolved.rotaryEmbDim > headDim) {
      problems.push(`${name('rotaryEmbDim')} = ${resolved.rotaryEmbDim}: expected at most the head dimension ${name('dModel')} / ${name('nhead')} = ${headDim}`);
    }
  }
  if (resolved.rotaryEmbDim % 2 !== 0) {
    problems.push(`${name('rotaryEmbDim')} = ${resolved.rotaryEmbDim}: expected an even number (RoPE rotates pairs of features)`);
  }
  // Size limits, checked arithmetically before anything is allocated: a hostile or mistyped
  // config.json (num_layers = 1e9, max_length = 2^40) must be an error, not an out-of-memory crash.
  if (resolved.numLayers > MAX_LAYERS) {
    problems.push(`${name('numLayers')} = ${resolved.numLayers}: expected at most ${MAX_LAYERS} layers`);
  } else {
    const count = parameterCount(resolved);
    if (!(count <= MAX_PARAMETERS)) {
      const sizes = (['numEmbeddings', 'dModel', 'numLayers', 'dimFeedforward'] as const).map((key) => `${name(key)} = ${resolved[key]}`).join(', ');
      problems.push(`${sizes}: the model would have ${count} parameters; expected at most ${MAX_PARAMETERS} (2^31)`);
    }
  }
  if (dModel % nhead === 0) {
    const tableElements = 3 * (resolved.maxLength + 1) * (dModel / nhead);
    if (!(tableElements <= MAX_ROTARY_TABLE_ELEMENTS)) {
      const largest = Math.floor(MAX_ROTARY_TABLE_ELEMENTS / (3 * (dModel / nhead))) - 1;
      problems.push(
        `${name('maxLength')} = ${resolved.maxLength}: the rotary tables for positions 0..${name('maxLength')} would hold 3 × ${resolved.maxLength + 1} × ${dModel / nhead} values each; expected ${name('maxLength')} ≤ ${largest} for a head dimension of ${dModel / nhead}`,
      );
    }
  }
  if (paddingIdx !== null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
    problems.push(`${name('paddingIdx')} = ${paddingIdx}: expected an index in [${-numEmbeddings}, ${numEmbeddings - 1}] (${name('numEmbeddings')} = ${numEmbeddings}) or null`);
  }
  if (problems.length > 0) throw new ModelConfigError(`${label}: ${problems.join('; ')}`);
  return resolved;
}

function parseWith(input: unknown, naming: Naming, label: string): ResolvedModelConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ModelConfigError(`${label}: expected an object, got ${describeValue(input)}`);
  }
  const record = input as Record<string, unknown>;
  const result = SCHEMAS[naming].safeParse(record);
  if (!result.success) throw new ModelConfigError(formatIssues(result.error, record, naming, label));
  return resolve(result.data, naming, label);
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
export const XLM_CONFIG_NAMES: ReadonlyArray<{ camelCase: keyof ResolvedModelConfig; xlm: keyof XlmModelConfig }> = FIELDS.map((field) => ({
  camelCase: field.key,
  xlm: field.xlm,
}));
