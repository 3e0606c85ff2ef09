import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_HEADER_BYTES,
  SafetensorsError,
  parseSafetensors,
  serializeSafetensors,
  tensorToFloat32,
  type SafetensorsTensor,
} from './safetensors.js';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
import { float32ToBfloat16, float32ToFloat16 } from './float16.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/xlm-parity/basic', import.meta.url));

/** A file with a hand-written header (for hostile inputs). */
function rawFile(header: unknown, dataBytes: number, headerLengthOverride?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const bytes = new Uint8Array(8 + text.length + dataBytes);
  new DataView(bytes.buffer).setBigUint64(0, headerLengthOverride ?? BigInt(text.length), true);
  bytes.set(text, 8);
  return bytes;
}

function expectSafetensorsError(bytes: Uint8Array, pattern: RegExp): void {
  let caught: unknown;
  try {
    parseSafetensors(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  expect((caught as Error).message).toMatch(pattern);
}

function sample(): Map<string, SafetensorsTensor> {
  return new Map<string, SafetensorsTensor>([
    ['a.weight', { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, -7]) }],
    ['b', { dtype: 'I64', shape: [2], data: new BigInt64Array([-1n, 2n ** 40n]) }],
    ['c.half', { dtype: 'F16', shape: [3], data: float32ToFloat16([0.5, -2, 65504]) }],
    ['c.brain', { dtype: 'BF16', shape: [1, 2], data: float32ToBfloat16([1.5, -3]) }],
    ['d', { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) }],
    ['e', { dtype: 'I8', shape: [2], data: new Int8Array([-128, 127]) }],
    ['f', { dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) }],
    ['g', { dtype: 'I32', shape: [0, 4], data: new Int32Array(0) }],
    ['h', { dtype: 'I16', shape: [1], data: new Int16Array([-300]) }],
    ['i', { dtype: 'U8', shape: [2], data: new Uint8Array([0, 255]) }],
  ]);
}

describe('safetensors', () => {
  it('round-trips every dtype, shape and the metadata', () => {
    const tensors = sample();
    const bytes = serializeSafetensors(tensors, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const parsed = parseSafetensors(bytes);
    expect(parsed.metadata).toEqual({ format: 'pt' });
    expect([...parsed.keys()]).toEqual([...tensors.keys()]);
    for (const [name, tensor] of tensors) {
      const back = parsed.get(name)!;
      expect(back.dtype).toBe(tensor.dtype);
      expect(back.shape).toEqual(tensor.shape);
      expect(back.data.constructor).toBe(tensor.data.constructor);
      expect(Array.from(back.data as ArrayLike<number>)).toEqual(Array.from(tensor.data as ArrayLike<number>));
    }
    expect(Array.from(tensorToFloat32(parsed.get('c.half')!))).toEqual([0.5, -2, 65504]);
    expect(Array.from(tensorToFloat32(parsed.get('c.brain')!))).toEqual([1.5, -3]);
    expect(() => tensorToFloat32(parsed.get('b')!, 'b')).toThrow(/b: expected a floating-point tensor.*I64/);
    // Serialising the parsed file again gives the same bytes.
    expect(serializeSafetensors(parsed, parsed.metadata)).toEqual(bytes);
  });

  it('parses a views into a larger buffer (byteOffset) without reading outside it', () => {
    const bytes = serializeSafetensors(sample());
    const padded = new Uint8Array(bytes.length + 16);
    padded.fill(0xff);
    padded.set(bytes, 5);
    const parsed = parseSafetensors(padded.subarray(5, 5 + bytes.length));
    expect(Array.from(parsed.get('a.weight')!.data as Float32Array)).toEqual(Array.from(new Float32Array([1, -2, 3.5, 0, 1e-8, -7])));
  });

  it('reads the xlm-core fixture written by PyTorch', async () => {
    const file = await readSafetensorsFile(path.join(FIXTURE, 'model.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.get('embed_tokens.weight')?.shape).toEqual([37, 32]);
    expect(file.get('encoder.0.attn_qkv.weight')?.shape).toEqual([96, 32]);
    expect(Array.from(file.get('encoder.1.rotary_emb.inv_freq')!.data as Float32Array)).toEqual(
      Array.from(new Float32Array([1, 0.1, 0.01, 0.001])),
    );
    const expected = await readSafetensorsFile(path.join(FIXTURE, 'expected.safetensors'));
    expect(expected.get('logits')?.shape).toEqual([3, 12, 37]);
  });

  it('writes files atomically and reads them back', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mlm-safetensors-'));
    try {
      const target = path.join(folder, 'weights.safetensors');
      await writeSafetensorsFile(target, sample(), { note: 'x' });
      expect(fs.readdirSync(folder)).toEqual(['weights.safetensors']);
      const parsed = await readSafetensorsFile(target);
      expect(parsed.metadata).toEqual({ note: 'x' });
      expect(parsed.size).toBe(sample().size);
      fs.writeFileSync(path.join(folder, 'broken.safetensors'), new Uint8Array([1, 2, 3]));
      await expect(readSafetensorsFile(path.join(folder, 'broken.safetensors'))).rejects.toThrow(/broken\.safetensors: .*shorter than/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  describe('rejects malformed files with SafetensorsError', () => {
    const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    it.each([
      ['too short', new Uint8Array(3), /shorter than the 8-byte/],
      ['huge header length', rawFile(ok, 8, 2n ** 63n), /exceeds the limit/],
      ['header length beyond the file', rawFile(ok, 8, 1000n), /exceeds the \d+ bytes after/],
      ['header over the limit', rawFile(ok, 8, BigInt(MAX_HEADER_BYTES + 1)), /exceeds the limit/],
      ['invalid JSON', rawFile('{"t": ', 0), /not valid JSON/],
      ['JSON array', rawFile('[1,2]', 0), /must be a JSON object/],
      ['JSON null', rawFile('null', 0), /must be a JSON object/],
      ['unknown dtype', rawFile({ t: { dtype: 'F8', shape: [2], data_offsets: [0, 2] } }, 2), /"t": unknown dtype "F8"/],
      ['negative dimension', rawFile({ t: { dtype: 'U8', shape: [-2], data_offsets: [0, 2] } }, 2), /"t": "shape" must be/],
      ['fractional dimension', rawFile({ t: { dtype: 'U8', shape: [1.5], data_offsets: [0, 2] } }, 2), /"t": "shape" must be/],
      ['shape overflow', rawFile({ t: { dtype: 'U8', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 2] } }, 2), /"t": shape .* too many elements/],
      ['size mismatch', rawFile({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /"t": shape \[3\] of F32 needs 12 bytes.*span 8/],
      ['offsets past the end', rawFile({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4), /"t": data_offsets \[0, 8\] reach past/],
      ['reversed offsets', rawFile({ t: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, 8), /"t": data_offsets \[8, 0\] end before/],
      ['non-integer offsets', rawFile({ t: { dtype: 'U8', shape: [1], data_offsets: [0.5, 1.5] } }, 2), /"t": "data_offsets" must be/],
      ['string offsets', rawFile({ t: { dtype: 'U8', shape: [1], data_offsets: ['0', '1'] } }, 1), /"t": "data_offsets" must be/],
      [
        'overlapping tensors',
        rawFile(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
          },
          12,
        ),
        /"b": data_offsets \[4, 12\] overlap/,
      ],
      ['gap between tensors', rawFile({ a: { dtype: 'U8', shape: [2], data_offsets: [2, 4] } }, 4), /"a": .* gap of 2 bytes/],
      ['trailing bytes', rawFile({ a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, 5), /cover 2 bytes but the data section holds 5/],
      ['metadata not strings', rawFile({ __metadata__: { a: 1 } }, 0), /"__metadata__" value for "a" must be a string/],
      ['metadata not an object', rawFile({ __metadata__: 'x' }, 0), /"__metadata__" must be an object/],
      ['entry not an object', rawFile({ t: 5 }, 0), /"t": expected an object/],
      ['unknown entry field', rawFile({ t: { dtype: 'U8', shape: [0], data_offsets: [0, 0], extra: 1 } }, 0), /"t": unknown field "extra"/],
      ['invalid UTF-8', (() => { const b = rawFile('{"a":1}', 0); b[9] = 0xff; return b; })(), /not valid UTF-8/],
    ])('%s', (_label, bytes, pattern) => {
      expectSafetensorsError(bytes, pattern);
    });
  });

  it('rejects writer misuse with SafetensorsError naming the tensor', () => {
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(/"w": shape \[3\] has 3 elements but the data holds 2/);
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Int32Array(2) } })).toThrow(/"w": F32 data must be a Float32Array/);
    expect(() => serializeSafetensors({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } })).toThrow(SafetensorsError);
  });

  describe('fuzzing: parses or throws SafetensorsError, never anything else', () => {
    const valid = serializeSafetensors(sample(), { format: 'pt' });

    function parsesOrThrowsSafetensorsError(bytes: Uint8Array): boolean {
      try {
        const file = parseSafetensors(bytes);
        // Whatever parsed must be self-consistent.
        for (const tensor of file.values()) {
          const count = tensor.shape.reduce((a, b) => a * b, 1);
          if (tensor.data.length !== count) return false;
        }
        return true;
      } catch (error) {
        return error instanceof SafetensorsError;
      }
    }

    it('random bytes', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => parsesOrThrowsSafetensorsError(bytes)), { numRuns: 500 });
    });

    it('random bytes after a plausible header length', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat({ max: 400 }), (body, length) => {
          const bytes = new Uint8Array(8 + body.length);
          new DataView(bytes.buffer).setUint32(0, length, true);
          bytes.set(body, 8);
          return parsesOrThrowsSafetensorsError(bytes);
        }),
        { numRuns: 500 },
      );
    });

    it('random byte mutations, truncations and extensions of a valid file', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
          fc.integer({ min: -valid.length, max: 32 }),
          (mutations, resize) => {
            let bytes = valid.slice();
            for (const [position, value] of mutations) bytes[position] = value;
            if (resize < 0) bytes = bytes.slice(0, valid.length + resize);
            else if (resize > 0) {
              const longer = new Uint8Array(bytes.length + resize);
              longer.set(bytes);
              bytes = longer;
            }
            return parsesOrThrowsSafetensorsError(bytes);
          },
        ),
        { numRuns: 1000 },
      );
    });

    const jsonValue = fc.oneof(
      fc.integer({ min: -2, max: 2 ** 53 }),
      fc.double(),
      fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 64, -1, 0, 1, 4, 8),
      fc.string(),
      fc.constant(null),
      fc.boolean(),
    );
    const hostileEntry = fc.record({
      dtype: fc.oneof(fc.constantFrom('F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'F8', ''), jsonValue),
      shape: fc.oneof(fc.array(fc.oneof(fc.nat({ max: 6 }), jsonValue), { maxLength: 4 }), jsonValue),
      data_offsets: fc.oneof(fc.tuple(fc.nat({ max: 64 }), fc.nat({ max: 64 })), fc.array(jsonValue, { maxLength: 3 }), jsonValue),
    });

    it('hostile headers: overlapping offsets, wrong sizes, odd types', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string({ maxLength: 6 }), hostileEntry, { maxKeys: 5 }), fc.nat({ max: 96 }), (header, dataBytes) => {
          return parsesOrThrowsSafetensorsError(rawFile(header, dataBytes));
        }),
        { numRuns: 1000 },
      );
    });

    it('hostile header lengths', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (length) => parsesOrThrowsSafetensorsError(rawFile({}, 4, length))),
        { numRuns: 300 },
      );
    });
  });
});
