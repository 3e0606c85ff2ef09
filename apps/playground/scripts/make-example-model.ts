// Trains the page's small 4×4 sudoku model in Node (the same code the page runs) and writes it as an
// exported model folder to public/models/sudoku-4x4/: the example the page offers, and the fixture of
// the browser tests. Deterministic: same seed, same backend → same files.
//   pnpm --filter @mlm/playground make-example-model [steps]
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initializeBackend } from '@mlm/backend';
import { SudokuTrainer } from '../src/core/train.js';

const steps = Number(process.argv[2] ?? 400);
const folder = process.env.OUT ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public', 'models', 'sudoku-4x4');
await initializeBackend({ backend: 'wasm', threads: 1 });
const trainer = new SudokuTrainer({ dModel: Number(process.env.D ?? 32), numLayers: Number(process.env.LAYERS ?? 2), nhead: Number(process.env.HEADS ?? 2), batchSize: Number(process.env.BATCH ?? 32), learningRate: Number(process.env.LR ?? 3e-3), trainPuzzles: Number(process.env.TRAIN ?? 200), testPuzzles: 50 });
const started = performance.now();
for (let i = 0; i < steps; i++) {
  const { step, loss } = trainer.trainStep();
  if (step % 50 === 0 || step === 1) console.log(`step ${step}: loss ${loss.toFixed(4)}`);
}
const seconds = (performance.now() - started) / 1000;
const solved = await trainer.solve();
const exact = solved.filter((r) => r.correct).length;
console.log(`${steps} steps in ${seconds.toFixed(1)} s; held-out exact match ${exact}/${solved.length}`);
await mkdir(folder, { recursive: true });
for (const [name, bytes] of Object.entries(trainer.exportFiles())) await writeFile(path.join(folder, name), bytes);
console.log(`wrote ${folder}`);
trainer.dispose();
