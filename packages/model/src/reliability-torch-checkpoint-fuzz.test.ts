// Hostile PyTorch checkpoints: the zip reader, the pickle reader and the import on mutated, truncated
// and random bytes. Each input either imports or throws a clear error class (ZipArchiveError,
// PickleError, CheckpointError, ModelConfigError, SafetensorsError) — never a TypeError, a RangeError,
// a stack overflow, a hang, or code run on the pickle's behalf.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelConfigError } from './model-config.js';
import { PickleError, unpickle } from './restricted-unpickler.js';
import { SafetensorsError } from './safetensors.js';
import { CheckpointError } from './state-dict.js';
import { TORCH_CHECKPOINT_GLOBALS } from './torch-checkpoint.js';
import { importXlmCoreCheckpoint } from './xlm-core-checkpoint.js';
import { readZipArchive, ZipArchiveError } from './zip-archive.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/torch-checkpoints/', import.meta.url));
const read = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const CLEAR_ERRORS = [CheckpointError, ModelConfigError, SafetensorsError] as const;
const STATE_DICT = read('state-dict-f16.pth');
const LIGHTNING = read('lightning-ema.ckpt');
const CONFIG = (JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, { config?: object }>)['state-dict-f16.pth']!.config!;

function failsClearly(run: () => unknown): Error | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    const clear = CLEAR_ERRORS.some((Class) => error instanceof Class);
    expect(clear, `expected a clear error class, got ${String(error)}\n${(error as Error).stack ?? ''}`).toBe(true);
    return error as Error;
  }
}

/** The pickle inside a fixture archive (a view). */
function pickleOf(bytes: Uint8Array): Uint8Array {
  const entries = readZipArchive(bytes);
  const name = [...entries.keys()].find((key) => key.endsWith('/data.pkl'))!;
  return entries.get(name)!;
}

const mutation = (length: number) =>
  fc.array(fc.record({ at: fc.nat({ max: length - 1 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 8 });

function mutate(bytes: Uint8Array, changes: Array<{ at: number; value: number }>): Uint8Array {
  const out = bytes.slice();
  for (const change of changes) out[change.at] = change.value;
  return out;
}

describe('torch checkpoint reader under fuzzing', () => {
  it('mutated bytes anywhere in the archive: imports or fails clearly', () => {
    fc.assert(
      fc.property(mutation(STATE_DICT.length), (changes) => {
        failsClearly(() => importXlmCoreCheckpoint(mutate(STATE_DICT, changes), { config: CONFIG }));
      }),
      { numRuns: 300 },
    );
  });

  it('truncated archives fail with ZipArchiveError', () => {
    fc.assert(
      fc.property(fc.nat({ max: LIGHTNING.length - 1 }), (length) => {
        const error = failsClearly(() => importXlmCoreCheckpoint(LIGHTNING.subarray(0, length), { specialTokenIds: { paddingIdx: 0, maskIdx: 2 } }));
        expect(error).toBeInstanceOf(ZipArchiveError);
      }),
      { numRuns: 100 },
    );
  });

  it('mutated central directory and local headers: fails clearly (the CRC does not cover them)', () => {
    // The last ~3 KiB of a torch archive is its central directory and end records.
    const tail = Math.max(0, STATE_DICT.length - 3000);
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.integer({ min: tail, max: STATE_DICT.length - 1 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 6 }), (changes) => {
        failsClearly(() => importXlmCoreCheckpoint(mutate(STATE_DICT, changes), { config: CONFIG }));
      }),
      { numRuns: 300 },
    );
  });

  it('mutated pickle programs (the real data.pkl with bytes changed): a value or a PickleError', () => {
    const program = pickleOf(LIGHTNING).slice();
    const storage = { key: '0', dtype: 'F32', size: 1 << 20, bytes: new Uint8Array(4 << 20) };
    fc.assert(
      fc.property(mutation(program.length), (changes) => {
        try {
          unpickle(mutate(program, changes), { globals: TORCH_CHECKPOINT_GLOBALS, persistentLoad: () => storage });
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(PickleError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('random opcode soup: a value or a PickleError, never a crash', () => {
    const opcodes = [0x28, 0x2e, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x4b, 0x5d, 0x29, 0x7d, 0x8f, 0x6c, 0x74, 0x85, 0x86, 0x87, 0x64, 0x61, 0x65, 0x73, 0x75, 0x90, 0x91, 0x71, 0x68, 0x94, 0x52, 0x81, 0x62, 0x51, 0x93, 0x8c, 0x63];
    const token = fc.oneof(fc.constantFrom(...opcodes).map((code) => [code]), fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        const bytes = new Uint8Array(tokens.flat());
        try {
          unpickle(bytes, { globals: TORCH_CHECKPOINT_GLOBALS });
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(PickleError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('runs nothing: any global outside the allow-list is refused by name, before it is called', () => {
    const names = fc.constantFrom('os.system', 'builtins.eval', 'builtins.exec', 'subprocess.Popen', 'posix.system', 'builtins.getattr', 'torch.load', 'numpy.core.multiarray._reconstruct', 'omegaconf.dictconfig.DictConfig');
    fc.assert(
      fc.property(names, (name) => {
        const dot = name.lastIndexOf('.');
        const text = new TextEncoder().encode(`c${name.slice(0, dot)}\n${name.slice(dot + 1)}\n(X\u0002\u0000\u0000\u0000idtR.`);
        expect(() => unpickle(text, { globals: TORCH_CHECKPOINT_GLOBALS })).toThrow(new RegExp(`global ${name.replace(/\./g, '\\.')} is not allowed`));
      }),
    );
  });

  it('a pickle that refers to itself or nests deeply does not overflow the stack', () => {
    // A list appended to itself (through the memo) 10k times, then a 100k-deep nesting of lists.
    const selfReferencing = new Uint8Array([0x80, 0x02, 0x5d, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2e]);
    const value = unpickle(selfReferencing, { globals: {} }) as unknown[];
    expect(value[0]).toBe(value);
    const deep = new Uint8Array([0x80, 0x02, ...Array.from({ length: 100_000 }, () => 0x5d), ...Array.from({ length: 99_999 }, () => 0x61), 0x2e]);
    expect(() => unpickle(deep, { globals: {} })).not.toThrow();
  });
});
