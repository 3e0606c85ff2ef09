import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToNumber,
  float16BitsToNumber,
  numberToBfloat16Bits,
  numberToFloat16Bits,
} from './float16.js';

describe('float16 / bfloat16', () => {
  it('encodes and decodes known half-precision values', () => {
    const cases: Array<[number, number]> = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest half
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [1 + 2 ** -10, 0x3c01],
    ];
    for (const [value, bits] of cases) {
      expect(numberToFloat16Bits(value)).toBe(bits);
      expect(Object.is(float16BitsToNumber(bits), value)).toBe(true);
    }
    expect(Number.isNaN(float16BitsToNumber(numberToFloat16Bits(NaN)))).toBe(true);
    expect(numberToFloat16Bits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(numberToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(numberToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(numberToFloat16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal → even
    expect(numberToFloat16Bits(2 ** -25 * 1.5)).toBe(0x0001);
  });

  it('every half bit pattern survives decode → encode', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16BitsToNumber(bits);
      if (!Number.isNaN(value) && numberToFloat16Bits(value) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });

  it('half encoding is the nearest representable value', () => {
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (value) => {
        const decoded = float16BitsToNumber(numberToFloat16Bits(value));
        const bits = numberToFloat16Bits(value);
        const neighbours = [bits - 1, bits + 1].filter((b) => (b & 0x7fff) < 0x7c00 && b >= 0).map(float16BitsToNumber);
        return neighbours.every((n) => Math.abs(n - value) >= Math.abs(decoded - value));
      }),
    );
  });

  it('bfloat16 keeps the top 16 bits with round-to-nearest-even', () => {
    expect(numberToBfloat16Bits(1)).toBe(0x3f80);
    expect(numberToBfloat16Bits(-2.5)).toBe(0xc020);
    expect(bfloat16BitsToNumber(0x3f80)).toBe(1);
    expect(numberToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(numberToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(bfloat16BitsToNumber(numberToBfloat16Bits(NaN)))).toBe(true);
    for (let bits = 0; bits < 0x10000; bits += 7) {
      const value = bfloat16BitsToNumber(bits);
      if (!Number.isNaN(value)) expect(numberToBfloat16Bits(value)).toBe(bits);
    }
  });
});
