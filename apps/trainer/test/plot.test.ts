// `mlm plot`: SVG curves rendered by Vega-Lite (headless) and one self-contained HTML page comparing runs.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { recordingIO, temporaryDirectory } from './helpers.js';

const noStdin = { readStdin: async () => '', handleSignals: false };

function fakeRun(root: string, name: string, lossScale: number): string {
  const run = path.join(root, name);
  mkdirSync(run, { recursive: true });
  const lines: string[] = [];
  for (let step = 2; step <= 20; step += 2) {
    lines.push(JSON.stringify({ step, epoch: 0, time: step, 'train/loss': lossScale / step, 'train/lr': 1e-3 * Math.min(1, step / 4) }));
    if (step % 10 === 0) lines.push(JSON.stringify({ step, epoch: 0, time: step, 'val/lm/accumulated_loss': lossScale / (step + 1), 'val/prediction/exact_match': step / 100 }));
  }
  writeFileSync(path.join(run, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  return run;
}

describe('mlm plot', () => {
  const root = temporaryDirectory('mlm-plot-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes one SVG per metric with a line per run, and an HTML page comparing the runs; prints the paths', async () => {
    const a = fakeRun(root, 'run-a', 4);
    const b = fakeRun(root, 'run-b', 8);
    const out = path.join(root, 'plots');
    const io = recordingIO();
    expect(await main(['plot', a, b, '-o', out], { ...noStdin, io }), io.text()).toBe(0);
    const names = ['train_loss.svg', 'train_lr.svg', 'val_lm_accumulated_loss.svg', 'val_prediction_exact_match.svg'];
    expect(io.stdout).toEqual([...names.map((name) => path.join(out, name)), path.join(out, 'index.html')]);
    const svg = readFileSync(path.join(out, 'train_loss.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('run-a');
    expect(svg).toContain('run-b');
    expect((svg.match(/class="mark-line role-mark/g) ?? []).length).toBeGreaterThanOrEqual(1);
    expect((svg.match(/<path [^>]*d="M/g) ?? []).length).toBeGreaterThanOrEqual(2); // one line per run
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).not.toContain('<script');
    expect((html.match(/<svg/g) ?? []).length).toBe(4);
    expect(html).toContain('<td>run-b</td><td>20</td><td>0.4</td>');
  });

  it('names a folder without metrics', async () => {
    const io = recordingIO();
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    expect(await main(['plot', empty], { ...noStdin, io })).toBe(1);
    expect(io.text()).toContain(`${empty} has no metrics.jsonl`);
    expect(existsSync(path.join(empty, 'plots'))).toBe(false);
  });
});
