/**
 * `RotaryTransformerMLMModel`: xlm-core's MLM network (`xlm-models/mlm/model_mlm.py`) on tfjs-core ops — token embedding,
 * pre-norm rotary transformer encoder layers, optional final LayerNorm, untied output projection.
 * Parameters are tf.Variables keyed by their PyTorch state_dict names, in PyTorch layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardOptions, Model, RandomSource } from '@mlm/types';
import { createRandom } from '@mlm/random';
import { validateFlatPositions, validateForwardInputs } from './forward-validation.js';
import {
  effectivePaddingIndex,
  modelConfigFromXlm,
  modelConfigToXlm,
  resolveModelConfig,
  type ModelConfig,
  type ResolvedModelConfig,
  type XlmModelConfig,
} from './model-config.js';
import { initialParameterValues } from './parameter-initialization.js';
import { inverseFrequencyKey, isWeightDecayed, parameterSpecs } from './parameter-layout.js';
import { fetchCheckpoint, joinUrl, type FetchCheckpointOptions } from './checkpoint-url.js';
import { RotaryEmbedding } from './rotary-embedding.js';
import { parseSafetensors, serializeSafetensors, type SafetensorsTensor } from './safetensors.js';
import { CheckpointError, prepareStateDict, type LoadStateDictOptions, type LoadStateDictResult } from './state-dict.js';
import { mergeShards } from './checkpoint-shards.js';
import { gatherRows, geluTanh, layerNorm, seededDropout } from './tensor-functions.js';

export interface CreateModelOptions {
  /** Source of the initial weights. Default: `createRandom(0)` (so the default is reproducible too). */
  random?: RandomSource;
  /**
   * Start every encoder layer from the same weights, as xlm-core does (its layers are deep copies of
   * one initialised prototype). Default true. False draws each layer independently.
   */
  identicalLayers?: boolean;
}

/**
 * Score given to masked-out keys before the softmax. xlm-core uses −inf; a finite large negative
 * gives the same probabilities (exp underflows to exactly 0) whenever a row has at least one
 * visible key, and turns a row with none into a uniform average instead of NaN.
 */
export const MASKED_SCORE = -1e30;

interface LayerWeights {
  norm1Weight: tf.Variable;
  norm1Bias: tf.Variable;
  attnQkv: tf.Variable;
  oProj: tf.Variable;
  norm2Weight: tf.Variable;
  norm2Bias: tf.Variable;
  mlp0Weight: tf.Variable;
  mlp0Bias: tf.Variable;
  mlp2Weight: tf.Variable;
  mlp2Bias: tf.Variable;
}

interface ForwardContext {
  batch: number;
  length: number;
  tables: { cos: tf.Tensor; sin: tf.Tensor };
  maskBias: tf.Tensor | null;
  /** Next dropout seed, or null when dropout is off. */
  nextSeed: () => number | null;
}

let instanceCounter = 0;

export class RotaryTransformerMLMModel implements Model {
  /** The validated configuration (every default filled in). */
  readonly config: ResolvedModelConfig;
  readonly numEmbeddings: number;
  /** Largest RoPE position accepted (`config.maxLength`); the predictor checks prompts against it. */
  get maxLength(): number {
    return this.config.maxLength;
  }
  /** The embedding row that stays zero and gets no gradient (null: none). */
  readonly paddingIndex: number | null;
  private readonly parameters: Map<string, tf.Variable>;
  private readonly layers: LayerWeights[];
  private readonly rotary: RotaryEmbedding;
  /** Whether `afterUpdate` keeps the padding row at zero (false when a checkpoint stored a non-zero row). */
  private keepPaddingRowZero: boolean;
  private disposed = false;

  private constructor(config: ResolvedModelConfig, values: Map<string, Float32Array>) {
    this.config = config;
    this.numEmbeddings = config.numEmbeddings;
    this.paddingIndex = effectivePaddingIndex(config);
    const headDim = config.dModel / config.nhead;
    this.rotary = new RotaryEmbedding({ rotaryDim: config.rotaryEmbDim, headDim, maxLength: config.maxLength, queryScale: 1 / Math.sqrt(headDim) });
    const prefix = `mlm_rotary_transformer_${++instanceCounter}/`;
    this.parameters = new Map();
    for (const spec of parameterSpecs(config)) {
      const data = values.get(spec.name);
      if (!data) throw new CheckpointError(`missing initial value for ${JSON.stringify(spec.name)}`);
      const initial = tf.tensor(data, spec.shape, 'float32');
      // tfjs variable names are global: a per-instance prefix lets several models coexist.
      this.parameters.set(spec.name, tf.variable(initial, true, prefix + spec.name));
      initial.dispose();
    }
    this.layers = [];
    for (let layer = 0; layer < config.numLayers; layer++) {
      const get = (suffix: string) => this.parameters.get(`encoder.${layer}.${suffix}`)!;
      this.layers.push({
        norm1Weight: get('norm1.weight'),
        norm1Bias: get('norm1.bias'),
        attnQkv: get('attn_qkv.weight'),
        oProj: get('o_proj.weight'),
        norm2Weight: get('norm2.weight'),
        norm2Bias: get('norm2.bias'),
        mlp0Weight: get('mlp.0.weight'),
        mlp0Bias: get('mlp.0.bias'),
        mlp2Weight: get('mlp.2.weight'),
        mlp2Bias: get('mlp.2.bias'),
      });
    }
    this.keepPaddingRowZero = this.paddingIndex !== null && isPaddingRowZero(values.get('embed_tokens.weight')!, this.paddingIndex, config.dModel);
  }

  /** A freshly initialised model (PyTorch's default initialisation, drawn from `options.random`). */
  static create(config: ModelConfig, options: CreateModelOptions = {}): RotaryTransformerMLMModel {
    const resolved = resolveModelConfig(config);
    const values = initialParameterValues(resolved, options.random ?? createRandom(0), options.identicalLayers ?? true);
    return new RotaryTransformerMLMModel(resolved, values);
  }

  /** A model with the weights of a state dict (strict: every parameter, no unknown key). */
  static fromStateDict(
    config: ModelConfig,
    stateDict: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  ): RotaryTransformerMLMModel {
    const resolved = resolveModelConfig(config);
    const { values } = prepareStateDict(stateDict, resolved, { strict: true });
    return new RotaryTransformerMLMModel(resolved, values);
  }

  /**
   * A model from in-memory checkpoint bytes (browser-friendly, no fs). `config` is the `config.json`
   * object (xlm-core's snake_case names; a camelCase `ModelConfig` is accepted too); `weights` is one
   * safetensors file or several shards.
   */
  static fromBytes(checkpoint: { config: object; weights: Uint8Array | Uint8Array[]; source?: string }): RotaryTransformerMLMModel {
    const config = configFromObject(checkpoint.config, checkpoint.source ?? 'config');
    const files = Array.isArray(checkpoint.weights) ? checkpoint.weights : [checkpoint.weights];
    const tensors = mergeShards(files.map((bytes, index) => ({ source: `weights[${index}]`, tensors: parseSafetensors(bytes) })));
    return RotaryTransformerMLMModel.fromStateDict(config, tensors);
  }

  /**
   * Fetches `<baseUrl>/config.json` and `<baseUrl>/model.safetensors` (or a sharded
   * `model.safetensors.index.json` and its shards) and builds the model — the browser's way to load
   * an exported folder. `options.fetch` replaces the global `fetch` (tests, auth headers, caches).
   * Folders on disk: `fromPretrained(dir)` from `@mlm/model/node`.
   */
  static async fromUrl(baseUrl: string | URL, options: FetchCheckpointOptions = {}): Promise<RotaryTransformerMLMModel> {
    const checkpoint = await fetchCheckpoint(baseUrl, options);
    return RotaryTransformerMLMModel.fromBytes({ ...checkpoint, source: joinUrl(baseUrl, 'config.json') });
  }

  /** The checkpoint in memory: the `config.json` object and the safetensors bytes. */
  toBytes(): { config: XlmModelConfig; weights: Uint8Array } {
    return { config: modelConfigToXlm(this.config), weights: serializeSafetensors(this.stateDict(), { format: 'pt' }) };
  }

  /** int32 [B, L] → float32 logits [B, L, V]. The caller owns (disposes) the result. */
  forward(inputIds: tf.Tensor2D, options: ForwardOptions): tf.Tensor3D {
    this.assertUsable();
    const [batch, length] = validateForwardInputs(inputIds, options, this.config);
    return tf.tidy(() => {
      const hidden = this.encode(inputIds, options, batch, length);
      return tf.reshape(this.project(hidden), [batch, length, this.numEmbeddings]) as tf.Tensor3D;
    });
  }

  /**
   * Logits only at the flattened positions b·L + i (int32 [N]) → float32 [N, V]: the encoder runs
   * on the whole batch, the final LayerNorm and output projection only on the N rows.
   */
  forwardAt(inputIds: tf.Tensor2D, options: ForwardOptions, flatPositions: tf.Tensor1D): tf.Tensor2D {
    this.assertUsable();
    const [batch, length] = validateForwardInputs(inputIds, options, this.config);
    validateFlatPositions(flatPositions, batch, length, options.validateInputs !== false);
    return tf.tidy(() => {
      const hidden = this.encode(inputIds, options, batch, length);
      return this.project(gatherRows(hidden, flatPositions)) as tf.Tensor2D;
    });
  }

  /** The encoder: [B, L] ids → final hidden states [B·L, D] (before the final LayerNorm). */
  private encode(inputIds: tf.Tensor2D, options: ForwardOptions, batch: number, length: number): tf.Tensor {
    const training = options.training === true && this.config.dropout > 0;
    const random = options.random;
    const context: ForwardContext = {
      batch,
      length,
      tables: this.rotary.gather(options.positions),
      maskBias: attentionBias(options.attentionMask, batch, length),
      nextSeed: training && random ? () => random.nextUint32() : () => null,
    };
    let x: tf.Tensor = gatherRows(this.parameters.get('embed_tokens.weight')!, tf.reshape(inputIds, [batch * length]), this.paddingIndex);
    for (const layer of this.layers) x = this.layerForward(layer, x, context);
    return x;
  }

  /** One pre-norm layer on x [B·L, D]: x + attention(norm(x)), then x + feed-forward(norm(x)). */
  private layerForward(layer: LayerWeights, x: tf.Tensor, context: ForwardContext): tf.Tensor {
    const { dModel, nhead, dropout, layerNormEps } = this.config;
    const { batch, length } = context;
    const headDim = dModel / nhead;

    // Attention: x + dropout(o_proj(attention(LN1(x)))).
    // Layout: the attention batch runs over (head, sequence) pairs, head-major, so that the head
    // split is one 3-D transpose [B·L, 3H, dh] → [3H, B·L, dh] (5-D transposes are ~20× slower on wasm).
    const normed = layerNorm(x, layer.norm1Weight, layer.norm1Bias, layerNormEps);
    const qkv = tf.matMul(normed, layer.attnQkv, false, true); // [B·L, 3D]: q | k | v, heads contiguous in each
    const heads = tf.reshape(tf.transpose(tf.reshape(qkv, [batch * length, 3 * nhead, headDim]), [1, 0, 2]), [3, nhead, batch, length, headDim]);
    const [query, key, value] = tf.unstack(this.rotary.apply(heads, context.tables)) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const headsBatch = nhead * batch;
    // The 1/√dh scale is folded into q's RoPE tables.
    let scores = tf.matMul(tf.reshape(query, [headsBatch, length, headDim]), tf.reshape(key, [headsBatch, length, headDim]), false, true);
    if (context.maskBias) {
      scores = tf.reshape(tf.add(tf.reshape(scores, [nhead, batch, length, length]), context.maskBias), [headsBatch, length, length]);
    }
    const probabilities = seededDropout(tf.softmax(scores), dropout, context.nextSeed());
    const attended = tf.matMul(probabilities, tf.reshape(value, [headsBatch, length, headDim])); // [H·B, L, dh]
    const merged = tf.reshape(tf.transpose(tf.reshape(attended, [nhead, batch * length, headDim]), [1, 0, 2]), [batch * length, dModel]);
    const attentionOut = seededDropout(tf.matMul(merged, layer.oProj, false, true), dropout, context.nextSeed());
    const afterAttention = tf.add(x, attentionOut);

    // Feed-forward: x + dropout(mlp.2(act(mlp.0(LN2(x))))).
    const normed2 = layerNorm(afterAttention, layer.norm2Weight, layer.norm2Bias, layerNormEps);
    const hidden =
      this.config.activation === 'relu'
        ? tf.fused.matMul({ a: normed2, b: layer.mlp0Weight, transposeB: true, bias: layer.mlp0Bias, activation: 'relu' })
        : geluTanh(tf.fused.matMul({ a: normed2, b: layer.mlp0Weight, transposeB: true, bias: layer.mlp0Bias }));
    const mlpOut = seededDropout(tf.fused.matMul({ a: hidden, b: layer.mlp2Weight, transposeB: true, bias: layer.mlp2Bias }), dropout, context.nextSeed());
    return tf.add(afterAttention, mlpOut);
  }

  /** Final LayerNorm (unless disabled) and the output projection: [N, D] → [N, V]. */
  private project(hidden: tf.Tensor): tf.Tensor {
    const normed = this.config.finalLayerWithoutNormalization
      ? hidden
      : layerNorm(hidden, this.parameters.get('output_layer.norm_final.weight')!, this.parameters.get('output_layer.norm_final.bias')!, this.config.layerNormEps);
    return tf.matMul(normed, this.parameters.get('output_layer.linear.weight')!, false, true);
  }

  /** Trainable parameters by PyTorch state_dict name (a new Map; the variables are the model's own). */
  namedParameters(): Map<string, tf.Variable> {
    this.assertUsable();
    return new Map(this.parameters);
  }

  /** Names that get weight decay: those containing neither "bias" nor "norm" (xlm-core's rule). */
  getNamedParamsForWeightDecay(): string[] {
    return [...this.parameters.keys()].filter(isWeightDecayed);
  }

  /** The complement of `getNamedParamsForWeightDecay`: LayerNorm parameters and biases. */
  getNamedParamsForNoWeightDecay(): string[] {
    return [...this.parameters.keys()].filter((name) => !isWeightDecayed(name));
  }

  /** Number of trainable scalars. */
  countParameters(): number {
    let total = 0;
    for (const variable of this.parameters.values()) total += variable.size;
    return total;
  }

  /**
   * The PyTorch state_dict (float32 copies, in PyTorch's registration order), including every
   * `encoder.{i}.rotary_emb.inv_freq` buffer, ready for `serializeSafetensors`.
   */
  stateDict(): Map<string, SafetensorsTensor> {
    this.assertUsable();
    const out = new Map<string, SafetensorsTensor>();
    const inverse = this.rotary.inverseFrequencies;
    let currentLayer: number | null = null;
    const flushBuffer = () => {
      if (currentLayer !== null) out.set(inverseFrequencyKey(currentLayer), { dtype: 'F32', shape: [inverse.length], data: inverse.slice() });
    };
    for (const spec of parameterSpecs(this.config)) {
      if (spec.layer !== currentLayer) {
        flushBuffer();
        currentLayer = spec.layer;
      }
      const data = Float32Array.from(this.parameters.get(spec.name)!.dataSync() as Float32Array);
      out.set(spec.name, { dtype: 'F32', shape: [...spec.shape], data });
    }
    flushBuffer();
    return out;
  }

  /**
   * Copies weights from a state dict (keys as in PyTorch; see `prepareStateDict` for what is
   * accepted). Everything is checked before any weight changes. Strict by default.
   */
  loadStateDict(
    stateDict: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
    options: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    this.assertUsable();
    const { values, missingKeys, unexpectedKeys } = prepareStateDict(stateDict, this.config, options);
    tf.tidy(() => {
      for (const [name, data] of values) {
        const variable = this.parameters.get(name)!;
        variable.assign(tf.tensor(data, variable.shape, 'float32'));
      }
    });
    const embedding = values.get('embed_tokens.weight');
    if (embedding && this.paddingIndex !== null) this.keepPaddingRowZero = isPaddingRowZero(embedding, this.paddingIndex, this.config.dModel);
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Call after each optimiser update: puts the padding row back to exactly zero. Its gradient is
   * already zero, so this only guards against optimisers that move parameters without a gradient.
   * A checkpoint that stored a non-zero padding row keeps it (PyTorch never re-zeroes it either).
   */
  afterUpdate(): void {
    this.assertUsable();
    if (!this.keepPaddingRowZero || this.paddingIndex === null) return;
    const embedding = this.parameters.get('embed_tokens.weight')!;
    const padding = this.paddingIndex;
    tf.tidy(() => {
      const keep = tf.reshape(tf.sub(1, tf.oneHot(tf.tensor1d([padding], 'int32'), this.numEmbeddings)), [this.numEmbeddings, 1]);
      embedding.assign(tf.mul(embedding, keep));
    });
  }

  /** Frees every variable and table. The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.parameters.values()) variable.dispose();
    this.rotary.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('RotaryTransformerMLMModel: the model has been disposed');
  }
}

/** Factory form of `RotaryTransformerMLMModel.create`. */
export function createRotaryTransformerMLMModel(config: ModelConfig, options: CreateModelOptions = {}): RotaryTransformerMLMModel {
  return RotaryTransformerMLMModel.create(config, options);
}

function isPaddingRowZero(embedding: Float32Array, padding: number, dModel: number): boolean {
  for (let i = padding * dModel; i < (padding + 1) * dModel; i++) if (embedding[i] !== 0) return false;
  return true;
}

/**
 * Additive score bias from a boolean mask (true = may attend), shaped to broadcast over the scores
 * [H, B, Lq, Lk]: [1, B, 1, L] for a key mask, [1, B, L, L] for a 3-D (query, key) mask.
 */
function attentionBias(mask: tf.Tensor | undefined, batch: number, length: number): tf.Tensor | null {
  if (!mask) return null;
  const blocked = mask.dtype === 'bool' ? tf.logicalNot(mask) : tf.equal(mask, tf.scalar(0, mask.dtype));
  const bias = tf.mul(tf.cast(blocked, 'float32'), MASKED_SCORE);
  return mask.rank === 2 ? tf.reshape(bias, [1, batch, 1, length]) : tf.reshape(bias, [1, batch, length, length]);
}

/** A `config` object in xlm-core's snake_case (has `d_model`) or camelCase (has `dModel`). */
function configFromObject(config: object, source: string): ResolvedModelConfig {
  if (config !== null && typeof config === 'object' && 'd_model' in config) return modelConfigFromXlm(config, source);
  return resolveModelConfig(config as ModelConfig);
}


