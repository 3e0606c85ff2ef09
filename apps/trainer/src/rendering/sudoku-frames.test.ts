import { SimpleSpaceTokenizer } from '@mlm/collators';
import type { PredictorStepEvent } from '@mlm/types';
import { describe, expect, it } from 'vitest';
import { sudokuBoard } from '../tasks/sudoku-board.js';
import { renderSudokuFrame, renderSudokuStream, sudokuBoardWidth, sudokuDigits } from './sudoku-frames.js';

const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
const board = sudokuBoard('4x4');
const QUIZ = '1000001000400001';
const SOLUTION = '1234341221434321';

/**
 * A scripted decode of QUIZ: fills the blanks in a fixed order, two cells per step, with one wrong
 * digit (cell 1 gets 3 instead of 2), as a predictor stream would report it.
 */
async function* scriptedDecode(): AsyncGenerator<PredictorStepEvent> {
  const ids = new Int32Array(17);
  const digitId = (digit: number) => tokenizer.convertTokensToIds([String(digit)])[0]!;
  sudokuDigits(QUIZ).forEach((digit, cell) => (ids[cell] = digit === 0 ? tokenizer.maskTokenId : digitId(digit)));
  ids[16] = tokenizer.padTokenId;
  const blanks = [...QUIZ].flatMap((character, cell) => (character === '0' ? [cell] : []));
  const answer = sudokuDigits(SOLUTION);
  answer[1] = 3;
  let step = 0;
  for (let start = 0; start < blanks.length; start += 2) {
    step += 1;
    const unmasked = new Uint8Array(17);
    for (const cell of blanks.slice(start, start + 2)) {
      ids[cell] = digitId(answer[cell]!);
      unmasked[cell] = 1;
    }
    const final = start + 2 >= blanks.length;
    yield {
      step,
      final,
      ids: { data: ids.slice(), shape: [1, 17] },
      unmasked: { data: unmasked, shape: [1, 17] },
      confidence: new Float32Array(17).fill(Number.NaN),
      cachedLogits: false,
      modelCalled: true,
      outputStartIdx: 0,
    };
  }
}

async function render(style: 'ansi' | 'plain', inPlace: boolean): Promise<{ text: string; result: Awaited<ReturnType<typeof renderSudokuStream>> }> {
  let text = '';
  const result = await renderSudokuStream(scriptedDecode(), {
    board,
    tokenizer,
    quizzes: [QUIZ],
    solutions: [SOLUTION],
    style,
    inPlace,
    write: (chunk) => (text += chunk),
  });
  return { text, result };
}

describe('sudoku frames', () => {
  it('prints plain successive frames (new cells [d], wrong cells !d!) for a scripted decode', async () => {
    const { text, result } = await render('plain', false);
    expect(text).toMatchSnapshot();
    expect(text).not.toContain('\x1b');
    expect(result).toEqual({ grids: ['1334341221434321'], solved: [false], steps: 6 });
    // Frame count: the quiz, one per step, the result.
    expect(text.trimEnd().split('\n\n')).toHaveLength(8);
  });

  it('redraws in place with colours on a terminal', async () => {
    const { text } = await render('ansi', true);
    expect(text).toMatchSnapshot();
    // Every frame after the first moves the cursor up over the previous one (header + title + 7 board lines).
    expect(text.split('\x1b[9A')).toHaveLength(8);
    expect(text).toContain('\x1b[97;41m 3 \x1b[0m'); // the wrong cell, marked at the end
  });

  it('lays boards side by side under titles, for 6×6 boxes of 2 rows × 3 columns too', () => {
    const six = sudokuBoard('6x6');
    const digits = sudokuDigits('123456456123231564564231312645645312');
    const lines = renderSudokuFrame(six, [
      { digits, clues: digits.map(() => true), title: 'a' },
      { digits: digits.map(() => 0), clues: digits.map(() => false), filled: new Set([0]), title: 'b' },
    ], 'plain');
    expect(sudokuBoardWidth(six)).toBe(21);
    expect(lines.join('\n')).toMatchSnapshot();
    expect(lines[1]).toBe('+---------+---------+   +---------+---------+');
  });
});
