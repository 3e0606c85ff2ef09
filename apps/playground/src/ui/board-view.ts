import type { DecodeFrame } from '../core/decode.js';
import type { BoardShape } from '../core/sudoku.js';

/** State of each position after a frame: given, filled at an earlier step, or filled at this step. */
export interface CellState {
  text: string;
  kind: 'given' | 'mask' | 'old' | 'new';
  /** Confidence of the step that filled it (NaN for given or masked). */
  confidence: number;
  /** Step that filled it. */
  filledAt: number | undefined;
  wrong?: boolean;
}

/** Folds frames 0..index into per-position states. */
export function cellStates(prompt: readonly number[], frames: readonly DecodeFrame[], index: number, maskId: number, tokens: (id: number) => string): CellState[] {
  const states: CellState[] = prompt.map((id) => ({ text: id === maskId ? '' : tokens(id), kind: id === maskId ? 'mask' : 'given', confidence: Number.NaN, filledAt: undefined }));
  for (let f = 0; f <= index && f < frames.length; f++) {
    const frame = frames[f]!;
    frame.unmasked.forEach((unmasked, position) => {
      const state = states[position]!;
      if (unmasked) {
        state.text = tokens(frame.ids[position]!);
        state.confidence = frame.confidence[position]!;
        state.filledAt = frame.step;
      }
      if (state.filledAt !== undefined) state.kind = state.filledAt === frame.step && f === index ? 'new' : 'old';
    });
  }
  return states;
}

function shade(cell: HTMLElement, state: CellState): void {
  cell.className = `cell ${state.kind}${state.wrong ? ' wrong' : ''}`;
  cell.textContent = state.text;
  if (state.text.length > 2) cell.classList.add('long');
  const confidence = Number.isFinite(state.confidence) ? state.confidence : 1;
  if (state.kind === 'new') cell.style.backgroundColor = `rgba(255, 170, 0, ${(0.25 + 0.75 * confidence).toFixed(3)})`;
  else if (state.kind === 'old') cell.style.backgroundColor = `rgba(60, 140, 255, ${(0.1 + 0.35 * confidence).toFixed(3)})`;
  else cell.style.backgroundColor = '';
  cell.title = state.filledAt !== undefined ? `step ${state.filledAt}, confidence ${confidence.toFixed(3)}` : state.kind === 'given' ? 'given' : 'masked';
}

/** A sudoku board (box borders drawn), one cell per position. */
export function renderBoard(container: HTMLElement, shape: BoardShape, states: readonly CellState[], small = false): void {
  container.replaceChildren();
  const grid = document.createElement('div');
  grid.className = `board${small ? ' small' : ''}`;
  grid.style.gridTemplateColumns = `repeat(${shape.size}, 1fr)`;
  states.slice(0, shape.size * shape.size).forEach((state, index) => {
    const cell = document.createElement('div');
    shade(cell, state);
    const row = Math.floor(index / shape.size);
    const column = index % shape.size;
    if (column % shape.boxColumns === 0 && column > 0) cell.classList.add('box-left');
    if (row % shape.boxRows === 0 && row > 0) cell.classList.add('box-top');
    grid.append(cell);
  });
  container.append(grid);
}

/** Any other model: the sequence as a row of token chips. */
export function renderTokens(container: HTMLElement, states: readonly CellState[]): void {
  container.replaceChildren();
  const row = document.createElement('div');
  row.className = 'tokens';
  for (const state of states) {
    const chip = document.createElement('span');
    shade(chip, state);
    chip.classList.add('token');
    if (state.kind === 'mask') chip.textContent = '[MASK]';
    row.append(chip);
  }
  container.append(row);
}
