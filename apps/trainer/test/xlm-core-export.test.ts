// `mlm export --xlm-core`: a tiny seeded star-easy run, exported; the files must equal the committed
// fixture folder, which fixtures/xlm-core-export/load_with_xlm_core.py loaded with xlm-core's own
// RotaryTransformerMLMModel (load_state_dict strict=True) under PyTorch and whose logits it recorded.
// Our logits of the re-exported folder must equal PyTorch's within the parity tolerance.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { loadModelFromFolder, locateModelFolder } from '../src/training/model-folder.js';
import { TINY, recordingIO, temporaryDirectory } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/xlm-core-export/', import.meta.url));
const EXPORTED = path.join(FIXTURE, 'exported');
const noStdin = { readStdin: async () => '', handleSignals: false };
/** The parity tolerance of the model's xlm-core fixture tests: 1e-4 relative to max(1, max |logit|). */
const PARITY_TOLERANCE = 1e-4;
/** Set to rewrite the fixture folder from what the code writes now (then rerun the Python script). */
const UPDATE = process.env.UPDATE_XLM_CORE_EXPORT_FIXTURE === '1';

/** The seeded model of the fixture: tiny star-easy, 2 steps on the cpu backend. */
const RUN = [...TINY, 'seed=7', 'training.maxSteps=2', 'validation.every=null'];

function listFiles(root: string, directory = root): string[] {
  return readdirSync(directory)
    .flatMap((name) => {
      const full = path.join(directory, name);
      return statSync(full).isDirectory() ? listFiles(root, full) : [path.relative(root, full)];
    })
    .sort();
}

describe('mlm export --xlm-core', () => {
  const root = temporaryDirectory('mlm-xlm-core-export-');
  const runDir = path.join(root, 'run');
  const outDir = path.join(root, 'exported');
  let stdout = '';

  beforeAll(async () => {
    let io = recordingIO();
    expect(await main(['train', ...RUN, '--run-dir', runDir], { ...noStdin, io }), io.text()).toBe(0);
    io = recordingIO();
    expect(await main(['export', runDir, outDir, '--xlm-core', '--backend', 'cpu'], { ...noStdin, io }), io.text()).toBe(0);
    stdout = io.stdout.join('\n');
    if (UPDATE) {
      rmSync(EXPORTED, { recursive: true, force: true });
      cpSync(outDir, EXPORTED, { recursive: true });
    }
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the folder, the experiment settings and the train commands exactly as the committed fixture', () => {
    const files = listFiles(outDir);
    expect(files).toEqual(['config.json', 'model.safetensors', 'task.json', 'tokenizer.json', 'xlm-core/settings.yaml', 'xlm-core/train.sh']);
    expect(listFiles(EXPORTED)).toEqual(files);
    for (const file of files) expect(readFileSync(path.join(outDir, file)).equals(readFileSync(path.join(EXPORTED, file))), file).toBe(true);
  });

  it('prints the exact xlm job_type=train commands: one GPU and DDP over 8 GPUs, continuing from the exported weights', () => {
    const weights = path.join(outDir, 'model.safetensors');
    expect(stdout).toContain(`xlm job_name=exported_from_mlm job_type=train experiment=star_easy_mlm block_size=14 input_block_size=28 model.d_model=16 model.num_layers=1 model.nhead=2 model.dim_feedforward=64`);
    expect(stdout).toContain(`+model_only_checkpoint_path=${weights} trainer_strategy=single_device trainer.devices=1 trainer.num_nodes=1`);
    // Batch 8 over 8 GPUs: one example per GPU, the same global batch.
    expect(stdout).toMatch(/per_device_batch_size=1 global_batch_size=8 .* trainer_strategy=ddp trainer\.devices=8 trainer\.num_nodes=1/);
    expect(stdout).toContain('seed=7');
    expect(stdout).toContain('optimizer.lr=0.0005');
    expect(stdout).toContain('lr_scheduler.name=constant_with_warmup lr_scheduler.num_warmup_steps=2');
    expect(stdout).toContain('callbacks.ema.decay=0.9');
    const script = readFileSync(path.join(outDir, 'xlm-core', 'train.sh'), 'utf8');
    expect(script).toContain('+model_only_checkpoint_path="$MODEL_DIR/model.safetensors"');
    expect(script).toMatch(/fsdp\)\n[\s\S]*trainer_strategy=fsdp/);
  });

  it('our logits of the exported folder equal PyTorch logits of xlm-core\'s model loaded from it (strict)', async () => {
    const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected-logits.json'), 'utf8')) as {
      input_ids: number[][];
      attention_mask: number[][];
      positions: number[][];
      shape: number[];
      logits: number[];
    };
    const model = await loadModelFromFolder(locateModelFolder(outDir), { useEma: true });
    try {
      const logits = tf.tidy(() =>
        model.forward(tf.tensor2d(expected.input_ids, undefined, 'int32'), {
          attentionMask: tf.tensor2d(expected.attention_mask, undefined, 'bool'),
          positions: tf.tensor2d(expected.positions, undefined, 'int32'),
        }),
      );
      expect(logits.shape).toEqual(expected.shape);
      const actual = logits.dataSync();
      logits.dispose();
      let error = 0;
      let scale = 1;
      expected.logits.forEach((value, index) => {
        error = Math.max(error, Math.abs((actual[index] as number) - value));
        scale = Math.max(scale, Math.abs(value));
      });
      console.info(`[xlm-core export] max |logit error| vs PyTorch = ${error.toExponential(3)} (scale ${scale.toFixed(3)})`);
      expect(error).toBeLessThanOrEqual(PARITY_TOLERANCE * scale);
    } finally {
      model.dispose();
    }
  });

  it('a folder without task.json: an error naming --task and the tasks that have an xlm-core experiment', async () => {
    const bare = path.join(root, 'bare');
    mkdirSync(bare);
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json']) copyFileSync(path.join(outDir, file), path.join(bare, file));
    const io = recordingIO();
    expect(await main(['export', bare, path.join(root, 'bare-out'), '--xlm-core', '--backend', 'cpu'], { ...noStdin, io })).toBe(1);
    expect(io.text()).toMatch(/--xlm-core needs the model's task \(task\.json\) .*--task <star-easy\|star-medium\|star-hard\|sudoku\|sudoku-4x4\|sudoku-6x6>/);
    expect(existsSync(path.join(root, 'bare-out'))).toBe(false);
  });

  it('--gpus must be a positive integer; another count changes the multi-GPU commands only', async () => {
    let io = recordingIO();
    expect(await main(['export', runDir, path.join(root, 'gpus-bad'), '--xlm-core', '--gpus', 'two', '--backend', 'cpu'], { ...noStdin, io })).toBe(1);
    expect(io.text()).toMatch(/--gpus: expected an integer ≥ 1, got "two"/);
    io = recordingIO();
    expect(await main(['export', runDir, path.join(root, 'gpus-3'), '--xlm-core', '--gpus', '3', '--backend', 'cpu'], { ...noStdin, io }), io.text()).toBe(0);
    // 8 does not split over 3 GPUs: 3 per GPU, 9 in all, and the command says so.
    expect(io.stdout.join('\n')).toMatch(/the global batch 8 does not split over 3 GPUs: 3 per GPU, 9 in all/);
    expect(io.stdout.join('\n')).toMatch(/per_device_batch_size=3 global_batch_size=9 .* trainer_strategy=ddp trainer\.devices=3/);
  });
});
