// Built-in tasks on your own data files: star graphs in the reference's JSON-lines layout, jsonl-pairs
// (seq2seq and infill), text from .jsonl; bad rows are errors naming the file, the line and the field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_TASKS } from './built-in-tasks.js';
import { collectExamples } from './example-source.js';
import { createTextTask } from './text-task.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'mlm-data-files-'));
});
afterAll(async () => rm(folder, { recursive: true, force: true }));

async function write(name: string, lines: unknown[]): Promise<string> {
  const file = path.join(folder, name);
  await writeFile(file, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return file;
}

// The reference's `dhruveshpatel/star-easy` record layout.
const GRAPH = { edge_list: [[3, 0], [0, 12], [3, 5], [5, 6]], source: 3, goal: 12, path: [3, 0, 12] };

describe('star tasks from JSON-lines files', () => {
  it('reads the reference layout (edge_list) and our own (edgeList); splits without a file are empty', async () => {
    const test = await write('star-test.jsonl', [GRAPH, '', { ...GRAPH, edge_list: undefined, edgeList: GRAPH.edge_list, path: [3, 5, 6], goal: 6 }]);
    const task = await BUILT_IN_TASKS['star-easy']!({ seed: 42, files: { test } } as never);
    const examples = await collectExamples(task.splits.test);
    expect(examples).toHaveLength(2);
    expect(examples[0]).toEqual({ promptIds: [10, 7, 7, 19, 10, 12, 12, 13, 10, 19], inputIds: [10, 7, 7, 19] });
    expect(task.splits.train.size).toBe(0);
  });

  it('a bad row names the file, the line and the field before any tensor work', async () => {
    const file = await write('star-bad.jsonl', [GRAPH, GRAPH, { ...GRAPH, path: [3, 25] }]);
    await expect(BUILT_IN_TASKS['star-easy']!({ seed: 42, files: { test: file } } as never)).rejects.toThrow(`${file}:3: field "path[1]": expected a node number in 0..19, got 25`);
    const broken = await write('star-broken.jsonl', [GRAPH, '{"edge_list": [[1, 2]], "source": 1,']);
    await expect(BUILT_IN_TASKS['star-easy']!({ seed: 42, files: { test: broken } } as never)).rejects.toThrow(`${broken}:2: invalid JSON`);
    const noEdges = await write('star-no-edges.jsonl', [{ source: 1, goal: 2, path: [1, 2] }]);
    await expect(BUILT_IN_TASKS['star-easy']!({ seed: 42, files: { test: noEdges } } as never)).rejects.toThrow(`${noEdges}:1: field "edgeList": expected a non-empty list`);
  });
});

describe('mlm/jsonl-pairs', () => {
  it('seq2seq: prompt → completion, a tokenizer of the files\' tokens, blocks from the longest records', async () => {
    const train = await write('pairs-train.jsonl', [{ prompt: 'what is 2 + 2', completion: 'four' }, { prompt: 'what is 1 + 2', completion: 'three ok' }]);
    const task = await BUILT_IN_TASKS['jsonl-pairs']!({ seed: 42, files: { train } } as never);
    expect(task.kind).toBe('seq2seq');
    expect(task.inputBlockSize).toBe(5);
    expect(task.blockSize).toBe(4);
    const [first] = await collectExamples(task.splits.train);
    expect(task.tokenizer.decode(first!.promptIds as number[])).toBe('what is 2 + 2');
    expect(task.tokenizer.decode(first!.inputIds!)).toBe('four');
    expect(task.collatorDefaults.train).toMatchObject({ name: 'mlm/seq2seq-train-collator', addBos: true, addEos: true });
  });

  it('infill: the prompt is the completion with [MASK]s', async () => {
    const train = await write('infill-train.jsonl', [{ prompt: 'a [MASK] c', completion: 'a b c' }]);
    const task = await BUILT_IN_TASKS['jsonl-pairs']!({ seed: 42, files: { train }, mode: 'infill' } as never);
    expect(task.kind).toBe('infill');
    const [example] = await collectExamples(task.splits.train);
    expect((example!.promptIds as number[])[1]).toBe(task.tokenizer.maskTokenId);
    expect(task.tokenizer.decode(example!.inputIds!)).toBe('a b c');
    const bad = await write('infill-bad.jsonl', [{ prompt: 'a [MASK] c', completion: 'a b c' }, { prompt: 'a x [MASK]', completion: 'a b c' }]);
    await expect(BUILT_IN_TASKS['jsonl-pairs']!({ seed: 42, files: { train: bad }, mode: 'infill' } as never)).rejects.toThrow(`${bad}:2: field "prompt": token 2 is neither [MASK] nor the completion's token`);
  });

  it('bad rows name file, line and field', async () => {
    const file = await write('pairs-bad.jsonl', [{ prompt: 'a', completion: 'b' }, '', { prompt: 'a', completion: 3 }]);
    await expect(BUILT_IN_TASKS['jsonl-pairs']!({ seed: 42, files: { train: file } } as never)).rejects.toThrow(`${file}:3: field "completion": expected a string, got 3`);
    const missing = await write('pairs-missing.jsonl', [{ completion: 'b' }]);
    await expect(BUILT_IN_TASKS['jsonl-pairs']!({ seed: 42, files: { train: missing } } as never)).rejects.toThrow(`${missing}:1: field "prompt": expected a string, got nothing`);
  });
});

describe('text from .jsonl', () => {
  it('reads {"text"} records as lines; a bad record names file, line and field', async () => {
    const corpus = await write('corpus.jsonl', Array.from({ length: 40 }, (_, index) => ({ text: `line number ${index} of the corpus` })));
    const task = await createTextTask({ seed: 42, path: corpus, blockSize: 16 });
    expect(task.numTokens).toBeGreaterThan(40 * 20);
    const bad = await write('corpus-bad.jsonl', [{ text: 'fine' }, { body: 'no text' }]);
    await expect(createTextTask({ seed: 42, path: bad, blockSize: 4 })).rejects.toThrow(`${bad}:2: field "text": expected a string, got nothing`);
  });
});

describe('sudoku from CSV files', () => {
  const SOLUTION = '534678912672195348198342567859761423426853791713924856961537284287419635345286179';
  it('reads the reference layout (quizzes,solutions) and names the line of a bad row', async () => {
    const quiz = `00${SOLUTION.slice(2)}`;
    const test = await write('sudoku-test.csv', ['quizzes,solutions', `${quiz},${SOLUTION}`]);
    const task = await BUILT_IN_TASKS.sudoku!({ seed: 42, files: { test } } as never);
    const [example] = await collectExamples(task.splits.test);
    expect((example!.promptIds as number[]).slice(0, 3)).toEqual([task.tokenizer.maskTokenId, task.tokenizer.maskTokenId, 7 + 4]);
    expect(task.splits.train.size).toBe(0);
    const bad = await write('sudoku-bad.csv', ['quizzes,solutions', `${quiz},${SOLUTION}`, `${quiz},123`]);
    await expect(BUILT_IN_TASKS.sudoku!({ seed: 42, files: { test: bad } } as never)).rejects.toThrow(`${bad}:3: expected two 81-digit strings (quiz, solution)`);
  });
});
