/**
 * TensorBoard event files, written by hand: TFRecord framing around `tensorflow.Event` protos.
 *
 *   record = uint64 length (LE) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
 *   masked_crc32c(x) = ((crc >>> 15) | (crc << 17)) + 0xa282ead8   (mod 2^32; CRC-32C, Castagnoli)
 *
 * Only four messages and a handful of fields are needed (Event.wall_time/step/file_version/summary/
 * session_log, Summary.value, Summary.Value.tag/simple_value, SessionLog.status), so the protobuf
 * encoding (varints, fixed64/fixed32, length-delimited) is written here in ~40 lines rather than adding a
 * protobuf runtime and generated code for it.
 */

let castagnoliTable: Uint32Array | undefined;

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), as TFRecord uses. */
export function crc32c(bytes: Uint8Array): number {
  if (!castagnoliTable) {
    castagnoliTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      castagnoliTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = (castagnoliTable[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The masked CRC TFRecord stores (so that CRCs of data containing CRCs stay well distributed). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: length, its masked CRC, the data, the data's masked CRC. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

// Protobuf wire format.
function varint(value: number | bigint): number[] {
  let remaining = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(remaining & 0x7fn);
    remaining >>= 7n;
    if (remaining > 0n) byte |= 0x80;
    out.push(byte);
  } while (remaining > 0n);
  return out;
}
const key = (field: number, wireType: number) => varint((field << 3) | wireType);
const lengthDelimited = (field: number, bytes: Uint8Array | number[]) => [...key(field, 2), ...varint(bytes.length), ...bytes];
function fixed64Double(field: number, value: number): number[] {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return [...key(field, 1), ...bytes];
}
function fixed32Float(field: number, value: number): number[] {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return [...key(field, 5), ...bytes];
}
const utf8 = (text: string) => [...new TextEncoder().encode(text)];

/** `Event { wall_time: 1, step: 2, file_version: 3 | summary: 5 | session_log: 6 }`. */
function event(wallTime: number, step: number, body: number[]): Uint8Array {
  return new Uint8Array([...fixed64Double(1, wallTime), ...key(2, 0), ...varint(step), ...body]);
}

/** The first event of every file: `file_version: "brain.Event:2"`. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return event(wallTime, 0, lengthDelimited(3, utf8('brain.Event:2')));
}

/** Scalars: `summary { value { tag, simple_value } ... }`. */
export function scalarsEvent(wallTime: number, step: number, values: Record<string, number>): Uint8Array {
  const summary: number[] = [];
  for (const [tag, value] of Object.entries(values)) summary.push(...lengthDelimited(1, [...lengthDelimited(1, utf8(tag)), ...fixed32Float(2, value)]));
  return event(wallTime, step, lengthDelimited(5, summary));
}

/**
 * `session_log { status: START }` at `step`: TensorBoard then drops the events of this run at steps ≥
 * `step` written before (what a resumed run redoes).
 */
export function sessionStartEvent(wallTime: number, step: number): Uint8Array {
  return event(wallTime, step, lengthDelimited(6, [...key(1, 0), ...varint(1)]));
}
