// Measures each backend of the built playground in headless Chromium: which backend each request
// reaches (the page's log line), training speed (ms per step of the page's 4×4 sudoku trainer, steps
// 2..N) and one greedy 4×4 decode. Run after `pnpm build`:
//   node apps/playground/scripts/measure-backends.mjs [steps=20]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from './serve.mjs';

const steps = Number(process.argv[2] ?? 20);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const { server, url } = await startStaticServer({ root });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const settings = { boardSize: 4, batchSize: 32, learningRate: 3e-3, dModel: 64, numLayers: 2, nhead: 4, trainPuzzles: 200, testPuzzles: 12, seed: 1 };
console.log(`| request | backend line | ms/step (train, batch 32, 64×2) | greedy 4×4 decode (ms) |`);
console.log('|---|---|---|---|');
try {
  for (const query of ['backend=auto', 'backend=webgpu', 'backend=webgl', 'backend=wasm', 'backend=wasm&threads=1', 'backend=cpu']) {
    const page = await browser.newPage();
    try {
      await page.goto(`${url}?${query}&sw=0`);
      const line = await page.evaluate(() => window.mlm.backend.then((info) => info.description, (error) => `error: ${error.message}`));
      if (line.startsWith('error')) {
        console.log(`| ${query} | ${line} | – | – |`);
        continue;
      }
      const report = await page.evaluate(([s, n]) => window.mlm.train(s, n), [settings, steps]);
      const perStep = (report.millisecondsPerStep * report.losses.length - 0) / report.losses.length;
      await page.evaluate(() => window.mlm.loadModelFromUrl('./models/sudoku-4x4/'));
      await page.evaluate(() => window.mlm.decode('0000102030040000', { topK: 1, steps: 12 }));
      const started = Date.now();
      await page.evaluate(() => window.mlm.decode('0402000030000010', { topK: 1, steps: 12 }));
      console.log(`| ${query} | \`${line}\` | ${perStep.toFixed(0)} | ${Date.now() - started} |`);
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
