import type { DecodeSettings } from './decode.js';
import type { TrainSettings } from './train.js';

/** What a training run in the page reports. */
export interface TrainReport {
  losses: number[];
  /** tf.memory().numTensors after step 1 and after the last step (an optimiser makes its slots at step 1). */
  tensorsAfterFirstStep: number;
  tensorsAfterLastStep: number;
  millisecondsPerStep: number;
  stopped: boolean;
}

/** `window.mlm`: the page's functions for tests and the browser console. */
export interface PlaygroundApi {
  /** The backend chosen at start-up (its `description` is the log line). */
  backend: Promise<{ name: string; description: string; threads: number }>;
  /** Whether the page stored its files for offline use. */
  offlineReady: Promise<boolean>;
  loadModelFromUrl(url: string): Promise<{ source: string; parameters: number }>;
  /** Decodes a sudoku quiz (digits, 0 = blank) or ids; every frame's ids and the final ids. */
  decode(prompt: string | number[], settings?: Partial<DecodeSettings>): Promise<{ frames: number[][]; ids: number[]; numTensors: number }>;
  showFrame(index: number): void;
  train(settings: Partial<TrainSettings>, steps: number): Promise<TrainReport>;
  solveHeldOut(count?: number): Promise<{ correct: number; total: number }>;
  showTab(name: string): void;
  numTensors(): number;
}

declare global {
  interface Window {
    mlm: PlaygroundApi;
  }
}
