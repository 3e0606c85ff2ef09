/**
 * Conversions between float32 and the two 16-bit float formats safetensors files use:
 * IEEE 754 half precision (F16) and bfloat16 (BF16, the top 16 bits of a float32).
 * Encoding rounds to nearest, ties to even, as PyTorch's `.half()` / `.bfloat16()` do.
 */

const scratch = new DataView(new ArrayBuffer(4));

function float32Bits(value: number): number {
  scratch.setFloat32(0, value, true);
  return scratch.getUint32(0, true);
}

function bitsToFloat32(bits: number): number {
  scratch.setUint32(0, bits >>> 0, true);
  return scratch.getFloat32(0, true);
}

/** Decodes one IEEE half-precision bit pattern. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Encodes a number as IEEE half precision (round to nearest even; overflow → ±Infinity). */
export function numberToFloat16Bits(value: number): number {
  const bits = float32Bits(value);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // Inf or NaN
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00; // overflow
  if (unbiased >= -14) {
    // Normal half: keep 10 mantissa bits, round the 13 dropped ones to nearest even.
    let half = ((unbiased + 15) << 10) | (mantissa >>> 13);
    const dropped = mantissa & 0x1fff;
    if (dropped > 0x1000 || (dropped === 0x1000 && (half & 1) === 1)) half += 1; // may carry into the exponent: correct
    return sign | half;
  }
  if (unbiased < -25) return sign; // underflows to ±0 (below half of the smallest subnormal)
  // Subnormal half: value = m · 2^-24 with m < 1024. The float32 value is full · 2^(unbiased − 23)
  // (full = mantissa with its implicit leading one), so m = full · 2^(unbiased + 1).
  const full = mantissa | 0x800000;
  const shift = -unbiased - 1; // 14 … 24
  const kept = full >>> shift;
  const remainder = full & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  let result = kept;
  if (remainder > halfway || (remainder === halfway && (kept & 1) === 1)) result += 1;
  return sign | result;
}

/** Decodes one bfloat16 bit pattern. */
export function bfloat16BitsToNumber(bits: number): number {
  return bitsToFloat32((bits & 0xffff) << 16);
}

/** Encodes a number as bfloat16 (round to nearest even, NaN stays NaN). */
export function numberToBfloat16Bits(value: number): number {
  const bits = float32Bits(value);
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) | 0x40) & 0xffff; // quiet NaN
  const lsb = (bits >>> 16) & 1;
  return ((bits + 0x7fff + lsb) >>> 16) & 0xffff;
}

/** Decodes an array of F16 bit patterns into float32. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToNumber(bits[i] as number);
  return out;
}

/** Decodes an array of BF16 bit patterns into float32 (exact). */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const asUint = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) asUint[i] = (bits[i] as number) << 16;
  return out;
}

/** Encodes float32 values as F16 bit patterns. */
export function float32ToFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = numberToFloat16Bits(values[i] as number);
  return out;
}

/** Encodes float32 values as BF16 bit patterns. */
export function float32ToBfloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = numberToBfloat16Bits(values[i] as number);
  return out;
}
