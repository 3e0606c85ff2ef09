// Trains the page's small 4×4 sudoku model in Node (the same code the page runs) and writes it as an
// exported model folder to public/models/sudoku-4x4/: the example the page offers, and the fixture of
// the browser tests. Deterministic: same seed, same backend → same files.
//   pnpm --filter @mlm/playground make-example-model [steps=600] [folder]
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initializeBackend } from '@mlm/backend';
import { SudokuTrainer } from '../src/core/train.js';

const steps = Number(process.argv[2] ?? 600);
const folder = process.argv[3] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public', 'models', 'sudoku-4x4');
await initializeBackend({ backend: 'wasm', threads: 1 });
// The committed model: 64 wide, 3 layers, 2 heads, batch 64, Adam lr 2e-3, 600 steps, 200 training grids.
const trainer = new SudokuTrainer({ dModel: 64, numLayers: 3, nhead: 2, batchSize: 64, learningRate: 2e-3, trainPuzzles: 200, testPuzzles: 50 });
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
