// `mlm import` on PyTorch checkpoints of xlm-core's own model, then generate/export from the imported
// folder; and a folder with only config.json + model.safetensors (what push_to_hub writes).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { recordingIO, temporaryDirectory } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const noStdin = { readStdin: async () => '', handleSignals: false };
const PROMPT = '0 1 1 2 2 3 0 4 4 5 5 6 0 7 7 8 8 9 0 9';

describe('mlm import', () => {
  const root = temporaryDirectory('mlm-import-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('imports a Lightning checkpoint with its EMA weights, the recorded task and its tokenizer; generate and export use it', async () => {
    const outDir = path.join(root, 'star-easy');
    let io = recordingIO();
    expect(await main(['import', path.join(FIXTURES, 'xlm-core-star-easy.ckpt'), outDir], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/imported .*xlm-core-star-easy\.ckpt at step 1200 \(EMA weights\) to /);
    expect(io.stderr.join('\n')).toMatch(/config: num_embeddings = 27 \(from embed_tokens\.weight shape\)/);
    expect(io.stderr.join('\n')).toMatch(/config: mask_idx = 2 \(from the tokenizer's mask id\)/);
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'task.json']) expect(existsSync(path.join(outDir, file)), file).toBe(true);
    expect(JSON.parse(readFileSync(path.join(outDir, 'task.json'), 'utf8'))).toMatchObject({ name: 'star-easy', kind: 'seq2seq', blockSize: 14, inputBlockSize: 28 });
    expect(JSON.parse(readFileSync(path.join(outDir, 'config.json'), 'utf8'))).toMatchObject({ num_embeddings: 27, d_model: 16, padding_idx: 0, mask_idx: 2, max_length: 46 });

    io = recordingIO();
    expect(await main(['generate', outDir, '--prompt', PROMPT, 'backend=cpu'], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout[0]).toMatch(new RegExp(`^${PROMPT} => `));

    io = recordingIO();
    expect(await main(['export', outDir, path.join(root, 'exported'), '--backend', 'cpu'], { ...noStdin, io }), io.text()).toBe(0);
    expect(existsSync(path.join(root, 'exported', 'tokenizer.json'))).toBe(true);
  });

  it('--no-ema takes the trained weights', async () => {
    const io = recordingIO();
    expect(await main(['import', path.join(FIXTURES, 'xlm-core-star-easy.ckpt'), path.join(root, 'trained'), '--no-ema'], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/\(trained weights; the checkpoint also has EMA weights\)/);
    const trained = readFileSync(path.join(root, 'trained', 'model.safetensors'));
    const ema = readFileSync(path.join(root, 'star-easy', 'model.safetensors'));
    expect(trained.equals(ema)).toBe(false);
  });

  it('a plain state dict needs a config.json, and says so', async () => {
    const io = recordingIO();
    expect(await main(['import', path.join(FIXTURES, 'xlm-core-state-dict-f16.pth'), path.join(root, 'f16')], { ...noStdin, io })).toBe(1);
    expect(io.text()).toMatch(/plain state dict carries no model configuration; give a config\.json/);
  });

  it('an unknown --task lists the built-in ones', async () => {
    const io = recordingIO();
    expect(await main(['import', path.join(FIXTURES, 'xlm-core-star-easy.ckpt'), path.join(root, 'x'), '--task', 'nope'], { ...noStdin, io })).toBe(1);
    expect(io.text()).toMatch(/--task "nope" is not a built-in task; expected one of star-easy, /);
  });

  it('a folder with only config.json + model.safetensors: a clear error naming --tokenizer/--task, then works with --task', async () => {
    const bare = path.join(root, 'bare');
    mkdirSync(bare);
    for (const file of ['config.json', 'model.safetensors']) copyFileSync(path.join(root, 'star-easy', file), path.join(bare, file));
    let io = recordingIO();
    expect(await main(['generate', bare, '--prompt', PROMPT, 'backend=cpu'], { ...noStdin, io })).toBe(1);
    expect(io.text()).toMatch(/has no tokenizer\.json .*pass --tokenizer <tokenizer\.json>, or --task <star-easy\|/);
    io = recordingIO();
    expect(await main(['export', bare, path.join(root, 'bare-out'), '--backend', 'cpu'], { ...noStdin, io })).toBe(1);
    expect(io.text()).toMatch(/pass --tokenizer <tokenizer\.json>, or --task/);

    io = recordingIO();
    expect(await main(['generate', bare, '--task', 'star-easy', '--prompt', PROMPT, 'backend=cpu'], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout[0]).toMatch(new RegExp(`^${PROMPT} => `));
    io = recordingIO();
    expect(await main(['export', bare, path.join(root, 'bare-out'), '--tokenizer', path.join(root, 'star-easy', 'tokenizer.json'), '--backend', 'cpu'], { ...noStdin, io }), io.text()).toBe(0);
    expect(existsSync(path.join(root, 'bare-out', 'tokenizer.json'))).toBe(true);
  });
});
