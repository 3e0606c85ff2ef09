// The playground in a real browser: Debian's Chromium, headless, driven by playwright-core, against the
// built page served on loopback. Needs `pnpm build` (the page is built here when dist/ is missing).
// With CI=true a missing Chromium fails these tests; elsewhere they are skipped with the reason.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initializeBackend } from '@mlm/backend';
import * as tf from '@tensorflow/tfjs-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAll, sudokuPromptIds, type DecodeSettings } from '../src/core/decode.js';
import { loadModelFromContents, MODEL_FOLDER_FILES, type ModelFolderContents } from '../src/core/model-files.js';
// @ts-expect-error: a plain ES module script, no declarations
import { startStaticServer } from '../scripts/serve.mjs';

const appDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDirectory = path.join(appDirectory, 'dist');
const fixtureDirectory = path.join(appDirectory, 'public', 'models', 'sudoku-4x4');
const outputDirectory = path.join(appDirectory, 'test-output', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Under CI (CI set to anything but "", "0" or "false", as .ci/run sets it) a missing Chromium fails.
const ciValue = process.env.CI?.trim().toLowerCase();
const inCI = ciValue !== undefined && ciValue !== '' && ciValue !== '0' && ciValue !== 'false';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium && !inCI) {
  console.warn(`apps/playground browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH); with CI=true they fail instead`);
}

/** The flags this machine needs (its network is closed: no background connections). */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Two held-out-style quizzes (unique solutions) and two decode settings: greedy, and sampled with a seed. */
const QUIZZES = ['0000102030040000', '0402000030000010'];
const SETTINGS: DecodeSettings[] = [
  { strategy: 'top-probability', steps: 16, threshold: null, temperature: 1, topK: 1, topP: null, blockLength: null, seed: 0 },
  { strategy: 'margin', steps: 6, threshold: null, temperature: 1.5, topK: null, topP: 0.95, blockLength: 8, seed: 1234 },
];

async function readFixture(): Promise<ModelFolderContents> {
  const json = async (name: string) => JSON.parse(await readFile(path.join(fixtureDirectory, name), 'utf8')) as Record<string, unknown>;
  return {
    config: await json(MODEL_FOLDER_FILES.config),
    weights: new Uint8Array(await readFile(path.join(fixtureDirectory, MODEL_FOLDER_FILES.weights))),
    tokenizer: await json(MODEL_FOLDER_FILES.tokenizer),
    task: (await json(MODEL_FOLDER_FILES.task)) as ModelFolderContents['task'],
  };
}

/** The same decodes in this Node process, on `backend` with one thread. */
async function decodeInNode(backend: 'wasm' | 'cpu'): Promise<number[][][]> {
  // No native kernels: a page has none, so both sides run the same wasm kernels.
  await initializeBackend({ backend, threads: 1, nativeKernels: false, log: () => {} });
  const loaded = loadModelFromContents(await readFixture(), 'fixture');
  try {
    const results: number[][][] = [];
    for (const settings of SETTINGS) {
      for (const quiz of QUIZZES) {
        const frames = await decodeAll(loaded.model, loaded.tokenizer, sudokuPromptIds(quiz, loaded.tokenizer), settings);
        results.push(frames.map((frame) => frame.ids));
      }
    }
    return results;
  } finally {
    loaded.model.dispose();
  }
}

describe.skipIf(!haveChromium && !inCI)('playground in headless Chromium', () => {
  let server: Server | undefined;
  let baseUrl = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI=true but there is no Chromium at ${chromiumPath}; .ci/run installs it (apt-get install chromium)`);
    if (!existsSync(path.join(distDirectory, 'index.html'))) {
      execFileSync('pnpm', ['exec', 'vite', 'build', '--logLevel', 'warn'], { cwd: appDirectory, stdio: 'inherit' });
    }
    const started = await startStaticServer({ root: distDirectory });
    server = started.server;
    baseUrl = started.url;
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 60_000 });
    await mkdir(outputDirectory, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  async function openPage(query: string): Promise<{ page: Page; backend: string; errors: string[] }> {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 960 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${baseUrl}${query}`);
    const backend = await page.evaluate(() => window.mlm.backend.then((info) => info.description));
    return { page, backend, errors };
  }

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`decodes the exported fixture to the same ids as Node on ${backend} (same seeds)`, async () => {
      const { page, backend: line, errors } = await openPage(`?backend=${backend}&threads=1&sw=0`);
      try {
        expect(line).toMatch(new RegExp(`^\\[mlm\\] tensor backend: ${backend} \\(`));
        await page.evaluate(() => window.mlm.loadModelFromUrl('./models/sudoku-4x4/'));
        const inBrowser: number[][][] = [];
        for (const settings of SETTINGS) {
          for (const quiz of QUIZZES) {
            const result = await page.evaluate(([q, s]) => window.mlm.decode(q, s), [quiz, settings] as const);
            inBrowser.push(result.frames);
          }
        }
        const inNode = await decodeInNode(backend);
        expect(inBrowser).toHaveLength(QUIZZES.length * SETTINGS.length);
        expect(inBrowser).toEqual(inNode);
        // The sampled settings really did sample: their ids differ from the greedy ones somewhere.
        expect(inBrowser.slice(2)).not.toEqual(inBrowser.slice(0, 2));
        if (backend === 'wasm') {
          // Through the page's own controls: pick a puzzle, Decode, let the playback reach the final step.
          await page.selectOption('#puzzle-select', '1');
          await page.click('#decode');
          await page.waitForFunction(() => document.getElementById('frame-label')?.textContent?.includes('(final)'), undefined, { timeout: 60_000 });
          expect(await page.locator('#decode-status').textContent()).toMatch(/steps in .* on wasm; tensors after − before: 0/);
          await page.evaluate(() => window.mlm.showFrame(4));
          await page.screenshot({ path: path.join(outputDirectory, 'decode-wasm-step-5.png'), fullPage: true });
          await page.evaluate(() => window.mlm.showFrame(Number((document.getElementById('frame') as HTMLInputElement).max)));
          await page.screenshot({ path: path.join(outputDirectory, 'decode-wasm-final.png'), fullPage: true });
        }
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        tf.engine().reset();
      }
    });
  }

  it('trains 20 steps in the page: the loss falls and no tensor leaks', async () => {
    const { page, errors } = await openPage('?threads=1&sw=0');
    try {
      await page.evaluate(() => window.mlm.showTab('train'));
      const report = await page.evaluate(() =>
        window.mlm.train({ boardSize: 4, batchSize: 16, learningRate: 3e-3, dModel: 32, numLayers: 2, nhead: 2, trainPuzzles: 100, testPuzzles: 12, seed: 3 }, 20),
      );
      expect(report.losses).toHaveLength(20);
      expect(report.losses.every(Number.isFinite)).toBe(true);
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      expect(mean(report.losses.slice(-5))).toBeLessThan(mean(report.losses.slice(0, 5)) - 0.1);
      expect(report.tensorsAfterLastStep).toBe(report.tensorsAfterFirstStep);
      const before = await page.evaluate(() => window.mlm.numTensors());
      const solved = await page.evaluate(() => window.mlm.solveHeldOut(12));
      expect(solved.total).toBe(12);
      expect(await page.evaluate(() => window.mlm.numTensors())).toBe(before);
      await page.screenshot({ path: path.join(outputDirectory, 'train-20-steps.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('uses wasm threads when the page is cross-origin isolated (the server sends COOP/COEP)', async () => {
    const { page, backend, errors } = await openPage('?backend=wasm&sw=0');
    try {
      const [isolated, cores] = await page.evaluate(() => [crossOriginIsolated, navigator.hardwareConcurrency] as const);
      expect(isolated).toBe(true);
      const threads = Math.min(8, cores);
      expect(backend).toBe(`[mlm] tensor backend: wasm (SIMD, ${threads} thread${threads === 1 ? '' : 's'})`);
      const report = await page.evaluate(() =>
        window.mlm.train({ boardSize: 4, batchSize: 8, learningRate: 3e-3, dModel: 32, numLayers: 1, nhead: 2, trainPuzzles: 20, testPuzzles: 4, seed: 5 }, 3),
      );
      expect(report.losses.every(Number.isFinite)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('works offline once loaded', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 960 } });
    const page = await context.newPage();
    try {
      await page.goto(`${baseUrl}?backend=wasm&threads=1`);
      expect(await page.evaluate(() => window.mlm.offlineReady)).toBe(true);
      await page.evaluate(() => window.mlm.loadModelFromUrl('./models/sudoku-4x4/'));
      await context.setOffline(true);
      await page.reload();
      expect(await page.evaluate(() => window.mlm.backend.then((info) => info.name))).toBe('wasm');
      await page.evaluate(() => window.mlm.loadModelFromUrl('./models/sudoku-4x4/'));
      const result = await page.evaluate(() => window.mlm.decode('0000102030040000', { seed: 0, topK: 1, steps: 16 }));
      expect(result.ids).toHaveLength(17); // 16 cells and the closing EOS
    } finally {
      await context.close();
    }
  });
});
