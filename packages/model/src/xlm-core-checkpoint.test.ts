// Importing checkpoints written by PyTorch from xlm-core's own model code (fixtures/torch-checkpoints,
// made by make_fixtures.py there): the weights, EMA weights, configuration and — through our model —
// the logits PyTorch computed, within the parity tolerance.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PickleError } from './restricted-unpickler.js';
import { RotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';
import { serializeSafetensors } from './safetensors.js';
import { CheckpointError } from './state-dict.js';
import { maxAbs, maxAbsDifference, useBackend } from './test-support.js';
import { materializeTensor, parseTorchCheckpoint, TorchTensorReference } from './torch-checkpoint.js';
import { importXlmCoreCheckpoint } from './xlm-core-checkpoint.js';
import { importXlmCoreCheckpointFile } from './xlm-core-checkpoint-file.js';
import { ZipArchiveError } from './zip-archive.js';
import { fromPretrained } from './pretrained-model.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/torch-checkpoints/', import.meta.url));
const read = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));

interface ExpectedLogits {
  input_ids: number[][];
  attention_mask: number[][];
  positions: number[][];
  shape: number[];
  logits?: number[];
  logits_trained?: number[];
  logits_ema?: number[];
  config?: Record<string, unknown>;
}
const EXPECTED = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, ExpectedLogits>;
/** The parity tolerance of the model's xlm-core fixture test: 1e-4 relative to max(1, max |logit|). */
const PARITY_TOLERANCE = 1e-4;

async function logitsError(imported: { config: object; tensors: Map<string, import('./safetensors.js').SafetensorsTensor> }, expected: ExpectedLogits, reference: number[]) {
  const model = RotaryTransformerMLMModel.fromBytes({ config: imported.config, weights: serializeSafetensors(imported.tensors) });
  try {
    const logits = tf.tidy(() =>
      model.forward(tf.tensor2d(expected.input_ids, undefined, 'int32'), {
        attentionMask: tf.tensor2d(expected.attention_mask, undefined, 'bool'),
        positions: tf.tensor2d(expected.positions, undefined, 'int32'),
      }),
    );
    expect(logits.shape).toEqual(expected.shape);
    const actual = (await logits.data()) as Float32Array;
    logits.dispose();
    const error = maxAbsDifference(actual, reference);
    return { error, scale: Math.max(1, maxAbs(reference)) };
  } finally {
    model.dispose();
  }
}

describe('importXlmCoreCheckpoint', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('reads a Lightning checkpoint: config from the hyper-parameters, EMA weights by default, logits equal to PyTorch', async () => {
    const expected = EXPECTED['lightning-ema.ckpt']!;
    const imported = importXlmCoreCheckpoint(read('lightning-ema.ckpt'), { specialTokenIds: { paddingIdx: 0, maskIdx: 2 } });
    expect(imported.kind).toBe('lightning');
    expect(imported.hasEma).toBe(true);
    expect(imported.usedEma).toBe(true);
    expect(imported.ema).toEqual({ decay: 0.9999, numUpdates: 1200 });
    expect(imported.globalStep).toBe(1200);
    expect(imported.epoch).toBe(3);
    expect(imported.dataset).toBe('star_easy');
    expect(imported.config).toMatchObject({ num_embeddings: 27, d_model: 16, num_layers: 2, nhead: 2, padding_idx: 0, mask_idx: 2, rotary_emb_dim: 4, max_length: 46 });
    expect(imported.filledFields.map((entry) => entry.field).sort()).toEqual(['mask_idx', 'num_embeddings', 'padding_idx']);
    expect(imported.tensors.has('encoder.0.rotary_emb.inv_freq')).toBe(true);
    const { error, scale } = await logitsError(imported, expected, expected.logits_ema!);
    console.info(`[torch import] lightning-ema.ckpt (EMA weights): max |logit error| vs PyTorch = ${error.toExponential(3)} (scale ${scale.toFixed(3)})`);
    expect(error).toBeLessThanOrEqual(PARITY_TOLERANCE * scale);
  });

  it('takes the trained weights with useEma: false', async () => {
    const expected = EXPECTED['lightning-ema.ckpt']!;
    const imported = importXlmCoreCheckpoint(read('lightning-ema.ckpt'), { useEma: false, specialTokenIds: { paddingIdx: 0, maskIdx: 2 } });
    expect(imported.usedEma).toBe(false);
    const { error, scale } = await logitsError(imported, expected, expected.logits_trained!);
    console.info(`[torch import] lightning-ema.ckpt (trained weights): max |logit error| vs PyTorch = ${error.toExponential(3)}`);
    expect(error).toBeLessThanOrEqual(PARITY_TOLERANCE * scale);
    // And the EMA logits differ from these: the flag matters.
    expect(maxAbsDifference(expected.logits_ema!, expected.logits_trained!)).toBeGreaterThan(1e-2);
  });

  it('names the unresolved field when the tokenizer ids are not given', () => {
    expect(() => importXlmCoreCheckpoint(read('lightning-ema.ckpt'))).toThrow(/hyper_parameters\.model\.padding_idx is "\$\{tokenizer:pad_token_id\}".*tokenizer/);
  });

  it('reads a plain half-precision state dict with a given config, logits equal to PyTorch', async () => {
    const expected = EXPECTED['state-dict-f16.pth']!;
    const imported = importXlmCoreCheckpoint(read('state-dict-f16.pth'), { config: expected.config! });
    expect(imported.kind).toBe('state-dict');
    expect(imported.hasEma).toBe(false);
    expect(imported.tensors.get('embed_tokens.weight')!.dtype).toBe('F16');
    const { error, scale } = await logitsError(imported, expected, expected.logits!);
    console.info(`[torch import] state-dict-f16.pth: max |logit error| vs PyTorch = ${error.toExponential(3)}`);
    expect(error).toBeLessThanOrEqual(PARITY_TOLERANCE * scale);
  });

  it('asks for a config.json when a plain state dict has none', () => {
    expect(() => importXlmCoreCheckpoint(read('state-dict-f16.pth'))).toThrow(/plain state dict carries no model configuration; give a config\.json/);
  });

  it('a config.json that does not match the weights names the key', () => {
    const config = { ...EXPECTED['state-dict-f16.pth']!.config!, d_model: 16 };
    expect(() => importXlmCoreCheckpoint(read('state-dict-f16.pth'), { config })).toThrow(CheckpointError);
    expect(() => importXlmCoreCheckpoint(read('state-dict-f16.pth'), { config })).toThrow(/embed_tokens\.weight/);
  });

  it('refuses a global outside the allow-list, naming it', () => {
    let failure: unknown;
    try {
      importXlmCoreCheckpoint(read('disallowed-global.pt'));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(PickleError);
    expect((failure as Error).message).toMatch(/global torch\.optim\.sgd\.SGD is not allowed/);
  });

  it('refuses a truncated archive clearly', () => {
    const bytes = read('lightning-ema.ckpt');
    expect(() => importXlmCoreCheckpoint(bytes.subarray(0, bytes.length - 100))).toThrow(ZipArchiveError);
  });

  it('detects a corrupted storage by its CRC', () => {
    const bytes = read('state-dict-f16.pth').slice();
    const entry = bytes.indexOf(0x50, 200); // somewhere inside the data section
    bytes[entry + 70] = (bytes[entry + 70] as number) ^ 0xff;
    expect(() => importXlmCoreCheckpoint(bytes, { config: EXPECTED['state-dict-f16.pth']!.config! })).toThrow(CheckpointError);
  });
});

describe('parseTorchCheckpoint', () => {
  it('materializes strided views, offsets, shared storages and every dtype as PyTorch stores them', () => {
    const { root } = parseTorchCheckpoint(read('strided.pt'), 'strided.pt');
    expect(root).toBeInstanceOf(Map);
    const get = (key: string) => {
      const value = (root as Map<string, unknown>).get(key);
      expect(value).toBeInstanceOf(TorchTensorReference);
      return materializeTensor(value as TorchTensorReference);
    };
    // base = arange(12).reshape(3, 4) (float64)
    expect(get('again')).toMatchObject({ dtype: 'F64', shape: [3, 4] });
    expect([...(get('again').data as Float64Array)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(get('transposed').shape).toEqual([4, 3]);
    expect([...(get('transposed').data as Float64Array)]).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect([...(get('row').data as Float64Array)]).toEqual([4, 5, 6, 7]);
    expect([...(get('column').data as Float64Array)]).toEqual([2, 6, 10]);
    expect([...(get('long').data as BigInt64Array)]).toEqual([-3n, 2n ** 40n]);
    expect(get('bool')).toMatchObject({ dtype: 'BOOL', shape: [2] });
    expect([...(get('bool').data as Uint8Array)]).toEqual([1, 0]);
    expect(get('bf16').dtype).toBe('BF16');
  });
});

describe('importXlmCoreCheckpointFile', () => {
  let folder: string;
  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mlm-torch-import-'));
  });
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('writes a pretrained folder that fromPretrained loads; a folder input uses its config.json', async () => {
    const expected = EXPECTED['state-dict-f16.pth']!;
    const input = path.join(folder, 'hub');
    fs.mkdirSync(input);
    fs.copyFileSync(path.join(FIXTURES, 'state-dict-f16.pth'), path.join(input, 'pytorch_model.bin'));
    fs.writeFileSync(path.join(input, 'config.json'), JSON.stringify(expected.config));
    const outDir = path.join(folder, 'out');
    const result = await importXlmCoreCheckpointFile(input, outDir);
    expect(result.file).toBe(path.join(input, 'pytorch_model.bin'));
    expect(fs.readdirSync(outDir).sort()).toEqual(['config.json', 'model.safetensors']);
    const model = await fromPretrained(outDir);
    model.dispose();
  });
});
