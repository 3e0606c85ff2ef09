import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoCommand } from '../src/commands/demo.js';
import { main } from '../src/main.js';
import { recordingIO, temporaryDirectory, TINY } from './helpers.js';

const noStdin = { readStdin: async () => '', handleSignals: false };
/** The tiny settings, with the demo's own step budget and a small test split. */
const OVERRIDES = [...TINY.filter((override) => !override.startsWith('training.maxSteps') && !override.startsWith('task.numTest')), 'task.numTest=6', 'training.maxSteps=2', 'validation.every=null'];

describe('mlm demo (sudoku 4×4, tiny step budget)', () => {
  const runDir = temporaryDirectory('mlm-demo-');
  /** The quiz the demo printed in its `mlm generate` line. */
  let printedQuiz = '';

  it('trains, evaluates on held-out puzzles, prints plain frames when stdout is not a terminal, and says how to reuse the model', async () => {
    const io = recordingIO();
    const code = await main(['demo', '--run-dir', runDir, '--show', '2', ...OVERRIDES], { ...noStdin, io });
    expect(code, io.text()).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/exact match on 6 held-out 4x4 puzzles: \d+\.\d% \(token accuracy on the blanks \d+\.\d%\); trained 2 steps in \d+ s, \d+ s in all \(seed 1, data seed 42\)\./);
    // Frames: the quizzes, one per step, the result with a verdict per board; no escape codes.
    expect(out).toContain('step 0 (the quizzes)');
    expect(out).toMatch(/puzzle 1 +puzzle 2/);
    expect(out).toMatch(/\nstep 1\n/);
    expect(out).toMatch(/result\npuzzle 1 (✓ solved|✗ \d+ wrong) +puzzle 2 (✓ solved|✗ \d+ wrong)/);
    expect(out).toMatch(/\+------\+------\+ {3}\+------\+------\+/);
    expect(out).not.toContain('\x1b[');
    // The exported model folder, and one line each for generate and eval.
    const modelDir = path.join(runDir, 'model');
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'task.json']) expect(existsSync(path.join(modelDir, file)), file).toBe(true);
    expect(JSON.parse(readFileSync(path.join(modelDir, 'task.json'), 'utf8'))).toMatchObject({ name: 'sudoku-4x4', kind: 'infill', blockSize: 17 });
    const generateLine = io.stdout.find((line) => line.startsWith('solve your own puzzles:'));
    expect(generateLine).toContain(`pnpm mlm generate ${modelDir} --stream --prompt `);
    printedQuiz = /--prompt ([0-4]{16}) /.exec(generateLine ?? '')?.[1] ?? '';
    expect(printedQuiz).toHaveLength(16);
    expect(io.stdout.find((line) => line.startsWith('evaluate it again:'))).toContain(`pnpm mlm eval ${modelDir}`);
  });

  it('the printed commands work on the model folder as they stand', async () => {
    const modelDir = path.join(runDir, 'model');
    const quiz = printedQuiz;
    let io = recordingIO();
    expect(await main(['eval', modelDir, 'backend=cpu'], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/on sudoku-4x4 test \(6 examples\)[\s\S]*test\/prediction\/exact_match/);
    io = recordingIO();
    expect(await main(['generate', modelDir, '--backend', 'cpu', '--prompt', quiz], { ...noStdin, io }), io.text()).toBe(0);
    const [line] = io.stdout;
    expect(line).toMatch(new RegExp(`^${quiz} => [1-4]{16}$`));
    io = recordingIO();
    expect(await main(['generate', modelDir, '--backend', 'cpu', '--stream', '--prompt', quiz], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/step 0 \(the quizzes\)[\s\S]*result\npuzzle 1/);
    io = recordingIO();
    expect(await main(['generate', modelDir, '--backend', 'cpu', '--prompt', '12'], { ...noStdin, io })).not.toBe(0);
    expect(io.stderr.join('\n')).toContain('prompt 1 = "12": expected a 4x4 quiz of 16 digits 0..4 (0 or . = blank)');
  });

  it('redraws the boards in place with colours on a terminal', async () => {
    const io = recordingIO();
    let terminal = '';
    const result = await demoCommand({
      runDir: temporaryDirectory('mlm-demo-tty-'),
      overrides: OVERRIDES,
      showPuzzles: 1,
      io,
      handleSignals: false,
      interactive: true,
      frameDelayMs: 0,
      write: (text) => (terminal += text),
    });
    expect(result.status).toBe('completed');
    expect(result.numExamples).toBe(6);
    expect(terminal).toContain('\x1b[2Kstep 0 (the quizzes)');
    expect(terminal).toMatch(/\x1b\[9A/); // cursor up over the previous frame (header, title, 7 board lines)
    expect(terminal).toContain('\x1b[1m'); // clues in bold
    const final = terminal.slice(terminal.lastIndexOf('result'));
    expect(final).toMatch(/puzzle 1 (✓ solved|✗ \d+ wrong)/);
  });
});

