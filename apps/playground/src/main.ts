import './style.css';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend, type BackendInfo } from '@mlm/backend';
import { createNamedRandom } from '@mlm/random';
import { DEFAULT_DECODE_SETTINGS, STRATEGIES, decodeAll, idsToBoard, sudokuPromptIds, type DecodeFrame, type DecodeSettings, type Strategy } from './core/decode.js';
import { fetchModelFolder, loadModelFromContents, readModelFolderFiles, sudokuBoardSize, type LoadedModel } from './core/model-files.js';
import { boardShape, generatePuzzles, type SudokuPuzzle } from './core/sudoku.js';
import type { PlaygroundApi, TrainReport } from './core/page-api.js';
import { SudokuTrainer, type TrainSettings } from './core/train.js';
import { cellStates, renderBoard, renderTokens } from './ui/board-view.js';
import { LossChart } from './ui/loss-chart.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page: no element #${id}`);
  return element as T;
};
const input = (id: string) => $<HTMLInputElement>(id);
const params = new URLSearchParams(location.search);
const EXAMPLE_MODEL = new URL('models/sudoku-4x4/', document.baseURI).href;

// ---------- backend ----------
const backendRequest = params.get('backend') ?? 'auto';
const threadsParam = params.get('threads');
$<HTMLSelectElement>('backend-select').value = backendRequest;
$<HTMLSelectElement>('backend-select').addEventListener('change', (event) => {
  const next = new URL(location.href);
  next.searchParams.set('backend', (event.target as HTMLSelectElement).value);
  location.href = next.href;
});

async function startBackend(): Promise<BackendInfo> {
  try {
    const info = await initializeBackend({
      backend: backendRequest,
      wasmPaths: new URL('wasm/', document.baseURI).href,
      ...(threadsParam ? { threads: Number(threadsParam) } : {}),
    });
    $('backend-line').textContent = info.description;
    return info;
  } catch (error) {
    $('backend-line').textContent = `backend error: ${(error as Error).message}`;
    throw error;
  }
}
const backendReady = startBackend();

// ---------- tabs ----------
for (const tab of document.querySelectorAll<HTMLButtonElement>('.tab')) {
  tab.addEventListener('click', () => showTab(tab.dataset.tab!));
}
function showTab(name: string): void {
  for (const tab of document.querySelectorAll<HTMLButtonElement>('.tab')) tab.classList.toggle('active', tab.dataset.tab === name);
  $('panel-decode').hidden = name !== 'decode';
  $('panel-train').hidden = name !== 'train';
}

// ---------- decode ----------
let loaded: LoadedModel | undefined;
let puzzles: SudokuPuzzle[] = [];
let puzzleSeed = 0;
let frames: DecodeFrame[] = [];
let framePrompt: number[] = [];
let frameTruth: string | undefined;
let playing = 0;

function setModel(model: LoadedModel): void {
  if (loaded && loaded.model !== trainer?.model) loaded.model.dispose();
  loaded = model;
  const size = sudokuBoardSize(model.task);
  const parameters = model.model.countParameters();
  $('model-info').textContent =
    `${model.source}: ${parameters.toLocaleString('en')} parameters, vocabulary ${model.tokenizer.vocabSize}` +
    (model.task ? `, task ${model.task.name} (block ${model.task.blockSize})` : '') +
    (size ? `, ${size}×${size} sudoku` : '');
  $('puzzle-picker').hidden = size === undefined;
  if (size) {
    input('steps').value = String(size * size);
    makePuzzles(size);
  }
  $<HTMLButtonElement>('decode').disabled = false;
}

function makePuzzles(size: number): void {
  puzzles = generatePuzzles(boardShape(size), createNamedRandom(puzzleSeed, `page-puzzles-${size}`), 12);
  const select = $<HTMLSelectElement>('puzzle-select');
  select.replaceChildren(
    ...puzzles.map((puzzle, index) => {
      const option = document.createElement('option');
      option.value = String(index);
      option.textContent = `#${index + 1}: ${puzzle.quiz.replace(/0/g, '·')}`;
      return option;
    }),
  );
  selectPuzzle(0);
}

function selectPuzzle(index: number): void {
  const puzzle = puzzles[index];
  if (!puzzle || !loaded) return;
  const ids = sudokuPromptIds(puzzle.quiz, loaded.tokenizer);
  $<HTMLTextAreaElement>('prompt').value = loaded.tokenizer.convertIdsToTokens(ids).join(' ');
  frameTruth = puzzle.solution;
  input('steps').value = String([...puzzle.quiz].filter((c) => c === '0').length); // one cell per step
  frames = [];
  framePrompt = ids;
  drawFrame(-1);
}

$<HTMLSelectElement>('puzzle-select').addEventListener('change', (event) => selectPuzzle(Number((event.target as HTMLSelectElement).value)));
$('new-puzzles').addEventListener('click', () => {
  puzzleSeed += 1;
  const size = sudokuBoardSize(loaded?.task);
  if (size) makePuzzles(size);
});
$<HTMLTextAreaElement>('prompt').addEventListener('input', () => {
  frameTruth = undefined;
});

async function loadFromUrl(url: string): Promise<LoadedModel> {
  await backendReady;
  const model = loadModelFromContents(await fetchModelFolder(url), url);
  setModel(model);
  return model;
}

async function guarded(status: string, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    $(status).textContent = `error: ${(error as Error).message}`;
    console.error(error);
  }
}

$('load-example').addEventListener('click', () => guarded('model-info', () => loadFromUrl(EXAMPLE_MODEL)));
$('load-url').addEventListener('click', () => guarded('model-info', () => loadFromUrl(new URL(input('model-url').value || EXAMPLE_MODEL, document.baseURI).href)));
for (const id of ['model-folder', 'model-files']) {
  input(id).addEventListener('change', (event) =>
    guarded('model-info', async () => {
      const files = (event.target as HTMLInputElement).files;
      if (!files || files.length === 0) return;
      await backendReady;
      setModel(loadModelFromContents(await readModelFolderFiles(files), `files: ${Array.from(files, (f) => f.name).join(', ')}`));
    }),
  );
}

function optionalNumber(id: string): number | null {
  const value = input(id).value.trim();
  if (value === '') return null;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`${id} = ${JSON.stringify(value)}: expected a number or nothing`);
  return number;
}

function readDecodeSettings(): DecodeSettings {
  const strategy = $<HTMLSelectElement>('strategy').value as Strategy;
  if (!STRATEGIES.includes(strategy)) throw new Error(`strategy ${strategy}: expected one of ${STRATEGIES.join(', ')}`);
  return {
    strategy,
    steps: optionalNumber('steps') ?? DEFAULT_DECODE_SETTINGS.steps,
    threshold: optionalNumber('threshold'),
    temperature: optionalNumber('temperature') ?? 1,
    topK: optionalNumber('top-k'),
    topP: optionalNumber('top-p'),
    blockLength: optionalNumber('block-length'),
    seed: optionalNumber('seed') ?? 0,
  };
}

function promptIds(): number[] {
  if (!loaded) throw new Error('load a model first');
  const text = $<HTMLTextAreaElement>('prompt').value.trim();
  const ids = loaded.tokenizer.encode(text, { addSpecialTokens: false });
  if (!ids.includes(loaded.tokenizer.maskTokenId)) throw new Error('the prompt has no [MASK] to fill');
  return ids;
}

function drawFrame(index: number): void {
  if (!loaded) return;
  const tokenizer = loaded.tokenizer;
  const states = cellStates(framePrompt, frames, index, tokenizer.maskTokenId, (id) => tokenizer.convertIdsToTokens([id])[0] ?? '?');
  const size = sudokuBoardSize(loaded.task);
  const last = index === frames.length - 1 && frames.length > 0;
  if (size && framePrompt.length === size * size) {
    if (last && frameTruth) {
      const board = idsToBoard(frames[index]!.ids, tokenizer);
      states.forEach((state, i) => (state.wrong = state.kind !== 'given' && board[i] !== frameTruth![i]));
    }
    renderBoard($('decode-view'), boardShape(size), states);
  } else renderTokens($('decode-view'), states);
  const frameInput = input('frame');
  frameInput.max = String(Math.max(0, frames.length - 1));
  frameInput.value = String(Math.max(0, index));
  const frame = frames[index];
  $('frame-label').textContent = frame ? `step ${frame.step}${frame.final ? ' (final)' : ''} of ${frames.length}: ${frame.unmasked.filter(Boolean).length} filled` : 'step –';
}

input('frame').addEventListener('input', () => {
  playing += 1;
  drawFrame(Number(input('frame').value));
});

async function play(delay = 350): Promise<void> {
  const token = ++playing;
  for (let index = 0; index < frames.length; index++) {
    if (token !== playing) return;
    drawFrame(index);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
$('play').addEventListener('click', () => void play());

async function decode(ids: number[], settings: DecodeSettings): Promise<DecodeFrame[]> {
  if (!loaded) throw new Error('load a model first');
  await backendReady;
  const before = tf.memory().numTensors;
  const started = performance.now();
  const result = await decodeAll(loaded.model, loaded.tokenizer, ids, settings);
  const seconds = (performance.now() - started) / 1000;
  const leaked = tf.memory().numTensors - before;
  frames = result;
  framePrompt = ids;
  const final = result[result.length - 1]!;
  const size = sudokuBoardSize(loaded.task);
  const board = size ? idsToBoard(final.ids, loaded.tokenizer) : undefined;
  $('decode-status').textContent =
    `${result.length} steps in ${seconds.toFixed(2)} s on ${tf.getBackend()}; tensors after − before: ${leaked}` +
    (board && frameTruth ? (board === frameTruth ? ' — solved ✓' : ` — ${[...board].filter((c, i) => c !== frameTruth![i]).length} cells wrong ✗`) : '') +
    (board && !frameTruth ? ` — output: ${board}` : '');
  return result;
}

$('decode').addEventListener('click', () =>
  guarded('decode-status', async () => {
    await decode(promptIds(), readDecodeSettings());
    await play();
  }),
);

// ---------- train ----------
let trainer: SudokuTrainer | undefined;
let chart: LossChart | undefined;
let stopRequested = false;

function readTrainSettings(): Partial<TrainSettings> {
  const integer = (id: string) => Number(input(id).value);
  return {
    boardSize: Number($<HTMLSelectElement>('train-board').value) as 4 | 6,
    batchSize: integer('train-batch'),
    learningRate: Number(input('train-lr').value),
    dModel: integer('train-width'),
    numLayers: integer('train-layers'),
    nhead: integer('train-heads'),
    trainPuzzles: integer('train-puzzles'),
    seed: integer('train-seed'),
  };
}

async function train(settings: Partial<TrainSettings>, steps: number): Promise<TrainReport> {
  await backendReady;
  if (trainer && loaded?.model !== trainer.model) trainer.dispose();
  trainer = undefined;
  chart?.destroy();
  chart = new LossChart($('loss-chart'));
  $('solve-results').replaceChildren();
  $('solve-summary').textContent = '';
  const current = new SudokuTrainer(settings);
  trainer = current;
  const shown: Record<string, number> = { 'train-batch': current.settings.batchSize, 'train-lr': current.settings.learningRate, 'train-width': current.settings.dModel, 'train-layers': current.settings.numLayers, 'train-heads': current.settings.nhead, 'train-puzzles': current.settings.trainPuzzles, 'train-seed': current.settings.seed, 'train-steps': steps };
  for (const [id, value] of Object.entries(shown)) input(id).value = String(value);
  $<HTMLSelectElement>('train-board').value = String(current.settings.boardSize);
  stopRequested = false;
  $<HTMLButtonElement>('train-start').disabled = true;
  $<HTMLButtonElement>('train-stop').disabled = false;
  const losses: number[] = [];
  let tensorsAfterFirstStep = 0;
  let tensorsAfterLastStep = 0;
  let total = 0;
  try {
    for (let i = 0; i < steps && !stopRequested; i++) {
      const result = current.trainStep();
      losses.push(result.loss);
      total += result.milliseconds;
      if (result.step === 1) tensorsAfterFirstStep = result.numTensors;
      tensorsAfterLastStep = result.numTensors;
      chart.push(result.step, result.loss);
      $('train-status').textContent =
        `step ${result.step}/${steps}: loss ${result.loss.toFixed(4)}, ${(total / result.step).toFixed(0)} ms/step on ${tf.getBackend()}, ` +
        `${result.numTensors} tensors; ${current.model.countParameters().toLocaleString('en')} parameters, ${current.trainPuzzles.length} train / ${current.testPuzzles.length} held-out puzzles`;
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint
    }
  } finally {
    $<HTMLButtonElement>('train-start').disabled = false;
    $<HTMLButtonElement>('train-stop').disabled = true;
    $<HTMLButtonElement>('train-solve').disabled = false;
    $<HTMLButtonElement>('train-use').disabled = false;
  }
  return { losses, tensorsAfterFirstStep, tensorsAfterLastStep, millisecondsPerStep: total / Math.max(1, losses.length), stopped: stopRequested };
}

async function solveHeldOut(count = 12): Promise<{ correct: number; total: number }> {
  if (!trainer) throw new Error('train a model first');
  const current = trainer;
  const results = await current.solve(current.testPuzzles.slice(0, count));
  const correct = results.filter((r) => r.correct).length;
  $('solve-summary').textContent = `held-out puzzles solved: ${correct}/${results.length} (greedy, most confident cell first; never seen in training). Click a board to watch it being solved.`;
  const container = $('solve-results');
  container.replaceChildren();
  for (const result of results) {
    const holder = document.createElement('div');
    holder.className = `solved ${result.correct ? 'correct' : 'incorrect'}`;
    const shape = current.shape;
    const states = Array.from(result.output, (c, i) => ({
      text: c,
      kind: result.puzzle.quiz[i] !== '0' ? ('given' as const) : ('old' as const),
      confidence: 1,
      filledAt: undefined,
      wrong: c !== result.puzzle.solution[i],
    }));
    renderBoard(holder, shape, states, true);
    const caption = document.createElement('p');
    caption.textContent = result.correct ? '✓ solved' : '✗ wrong';
    holder.append(caption);
    holder.addEventListener('click', () =>
      guarded('decode-status', async () => {
        useTrainedModel();
        frameTruth = result.puzzle.solution;
        const ids = sudokuPromptIds(result.puzzle.quiz, current.tokenizer);
        $<HTMLTextAreaElement>('prompt').value = current.tokenizer.convertIdsToTokens(ids).join(' ');
        showTab('decode');
        await decode(ids, readDecodeSettings());
        await play();
      }),
    );
    container.append(holder);
  }
  return { correct, total: results.length };
}

function useTrainedModel(): void {
  if (!trainer) return;
  if (loaded?.model === trainer.model) return;
  setModel({ model: trainer.model, tokenizer: trainer.tokenizer, task: trainer.task, source: `trained in this page (${trainer.step} steps)` });
}

$('train-start').addEventListener('click', () => guarded('train-status', () => train(readTrainSettings(), Number(input('train-steps').value))));
$('train-stop').addEventListener('click', () => (stopRequested = true));
$('train-solve').addEventListener('click', () => guarded('solve-summary', () => solveHeldOut()));
$('train-use').addEventListener('click', () => {
  useTrainedModel();
  showTab('decode');
});

// ---------- offline ----------
const OFFLINE_CACHE = 'mlm-playground-v1';

/**
 * Stores what this load fetched (page, scripts, styles, wasm binaries, model files) in the cache the
 * service worker answers from when the network is gone; later fetches are stored by the worker itself.
 */
async function enableOffline(): Promise<boolean> {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD || params.get('sw') === '0') return false;
  await navigator.serviceWorker.register(new URL('sw.js', document.baseURI).href);
  await navigator.serviceWorker.ready;
  await backendReady.catch(() => undefined);
  const urls = new Set([new URL('./', document.baseURI).href]);
  for (const entry of performance.getEntriesByType('resource')) {
    const url = new URL(entry.name);
    if (url.origin === location.origin) urls.add(url.href);
  }
  const cache = await caches.open(OFFLINE_CACHE);
  await Promise.all([...urls].map((url) => cache.add(url).catch(() => undefined)));
  $('offline-status').textContent = 'Cached for offline use: the page keeps working without a network once loaded.';
  return true;
}
const offlineReady = enableOffline().catch((error: Error) => {
  $('offline-status').textContent = `offline cache unavailable: ${error.message}`;
  return false;
});

// ---------- test and console hooks ----------
const api: PlaygroundApi = {
  backend: backendReady,
  offlineReady,
  loadModelFromUrl: (url: string) => loadFromUrl(new URL(url, document.baseURI).href).then((m) => ({ source: m.source, parameters: m.model.countParameters() })),
  /** Decodes a sudoku quiz (digits, 0 = blank) or ids with the given settings; returns every frame's ids and the final ids. */
  decode: async (prompt: string | number[], settings: Partial<DecodeSettings> = {}) => {
    if (!loaded) throw new Error('load a model first');
    const ids = typeof prompt === 'string' ? sudokuPromptIds(prompt, loaded.tokenizer) : prompt;
    if (typeof prompt === 'string') {
      frameTruth = undefined;
      $<HTMLTextAreaElement>('prompt').value = loaded.tokenizer.convertIdsToTokens(ids).join(' ');
    }
    const result = await decode(ids, { ...DEFAULT_DECODE_SETTINGS, ...settings });
    drawFrame(result.length - 1);
    return { frames: result.map((f) => f.ids), ids: result[result.length - 1]!.ids, numTensors: tf.memory().numTensors };
  },
  showFrame: (index: number) => drawFrame(index),
  train,
  solveHeldOut,
  showTab,
  numTensors: () => tf.memory().numTensors,
};
window.mlm = api;
