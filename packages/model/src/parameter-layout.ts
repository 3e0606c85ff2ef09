/**
 * The model's parameters by PyTorch state_dict name, in the order xlm-core's modules register them,
 * with PyTorch shapes (Linear weights are [out_features, in_features]).
 */
import type { ResolvedModelConfig } from './model-config.js';

export interface ParameterSpec {
  name: string;
  shape: number[];
  /** How PyTorch's module defaults initialise it (xlm-core adds no initialisation of its own). */
  init: 'embedding' | 'linear-weight' | 'linear-bias' | 'ones' | 'zeros';
  /** Fan-in of the Linear layer (for U(±1/√fanIn)); 0 for non-Linear parameters. */
  fanIn: number;
  /** Layer index for encoder parameters, else null. */
  layer: number | null;
}

/** Parameters of encoder layer `i`, in registration order. */
export function layerParameterSpecs(config: ResolvedModelConfig, layer: number): ParameterSpec[] {
  const { dModel: d, dimFeedforward: f } = config;
  const prefix = `encoder.${layer}.`;
  return [
    { name: `${prefix}norm1.weight`, shape: [d], init: 'ones', fanIn: 0, layer },
    { name: `${prefix}norm1.bias`, shape: [d], init: 'zeros', fanIn: 0, layer },
    { name: `${prefix}attn_qkv.weight`, shape: [3 * d, d], init: 'linear-weight', fanIn: d, layer },
    { name: `${prefix}o_proj.weight`, shape: [d, d], init: 'linear-weight', fanIn: d, layer },
    { name: `${prefix}norm2.weight`, shape: [d], init: 'ones', fanIn: 0, layer },
    { name: `${prefix}norm2.bias`, shape: [d], init: 'zeros', fanIn: 0, layer },
    { name: `${prefix}mlp.0.weight`, shape: [f, d], init: 'linear-weight', fanIn: d, layer },
    { name: `${prefix}mlp.0.bias`, shape: [f], init: 'linear-bias', fanIn: d, layer },
    { name: `${prefix}mlp.2.weight`, shape: [d, f], init: 'linear-weight', fanIn: f, layer },
    { name: `${prefix}mlp.2.bias`, shape: [d], init: 'linear-bias', fanIn: f, layer },
  ];
}

/** The state_dict name of layer `i`'s RoPE inverse-frequency buffer (not a parameter). */
export function inverseFrequencyKey(layer: number): string {
  return `encoder.${layer}.rotary_emb.inv_freq`;
}

/** Every trainable parameter, in state_dict order (the `inv_freq` buffers are not parameters). */
export function parameterSpecs(config: ResolvedModelConfig): ParameterSpec[] {
  const { numEmbeddings: v, dModel: d } = config;
  const specs: ParameterSpec[] = [{ name: 'embed_tokens.weight', shape: [v, d], init: 'embedding', fanIn: 0, layer: null }];
  for (let layer = 0; layer < config.numLayers; layer++) specs.push(...layerParameterSpecs(config, layer));
  if (!config.finalLayerWithoutNormalization) {
    specs.push({ name: 'output_layer.norm_final.weight', shape: [d], init: 'ones', fanIn: 0, layer: null });
    specs.push({ name: 'output_layer.norm_final.bias', shape: [d], init: 'zeros', fanIn: 0, layer: null });
  }
  specs.push({ name: 'output_layer.linear.weight', shape: [v, d], init: 'linear-weight', fanIn: d, layer: null });
  return specs;
}

/** xlm-core's weight-decay rule (`get_named_params_for_weight_decay`): a parameter is decayed unless its name contains "bias" or "norm". */
export function isWeightDecayed(name: string): boolean {
  return !name.includes('bias') && !name.includes('norm');
}
