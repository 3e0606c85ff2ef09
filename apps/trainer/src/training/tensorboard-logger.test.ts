// The TensorBoard logger's files, decoded per the format: TFRecord framing (lengths and masked CRC-32C
// checked) around Event protos (decoded with a generic protobuf wire-format reader written here).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTensorboardMetricsLogger } from './metrics-loggers.js';
import { crc32c, maskedCrc32c } from './tensorboard-events.js';

type Fields = Map<number, Array<bigint | Uint8Array>>;

/** Generic protobuf decoding: field number → values (varint/fixed as bigint bits, length-delimited as bytes). */
function decodeMessage(bytes: Uint8Array): Fields {
  const fields: Fields = new Map();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  const readVarint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[position++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (position < bytes.length) {
    const tag = Number(readVarint());
    const field = tag >> 3;
    let value: bigint | Uint8Array;
    switch (tag & 7) {
      case 0: value = readVarint(); break;
      case 1: value = view.getBigUint64(position, true); position += 8; break;
      case 5: value = BigInt(view.getUint32(position, true)); position += 4; break;
      case 2: {
        const length = Number(readVarint());
        value = bytes.subarray(position, position + length);
        position += length;
        break;
      }
      default: throw new Error(`wire type ${tag & 7}`);
    }
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}
const asDouble = (bits: bigint) => new DataView(new BigUint64Array([bits]).buffer).getFloat64(0, true);
const asFloat = (bits: bigint) => new DataView(new Uint32Array([Number(bits)]).buffer).getFloat32(0, true);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Splits a file into TFRecords, checking both masked CRCs of each. */
function readRecords(file: string): Uint8Array[] {
  const bytes = new Uint8Array(readFileSync(file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let position = 0;
  while (position < bytes.length) {
    const length = Number(view.getBigUint64(position, true));
    expect(view.getUint32(position + 8, true)).toBe(maskedCrc32c(bytes.subarray(position, position + 8)));
    const data = bytes.subarray(position + 12, position + 12 + length);
    expect(view.getUint32(position + 12 + length, true)).toBe(maskedCrc32c(data));
    records.push(data);
    position += 12 + length + 4;
  }
  expect(position).toBe(bytes.length);
  return records;
}

interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: Record<string, number>;
  sessionStatus?: number;
}
function decodeEvent(data: Uint8Array): DecodedEvent {
  const fields = decodeMessage(data);
  const out: DecodedEvent = { wallTime: asDouble(fields.get(1)![0] as bigint), step: Number(fields.get(2)?.[0] ?? 0n) };
  if (fields.has(3)) out.fileVersion = text(fields.get(3)![0] as Uint8Array);
  if (fields.has(5)) {
    out.scalars = {};
    for (const value of decodeMessage(fields.get(5)![0] as Uint8Array).get(1) ?? []) {
      const entry = decodeMessage(value as Uint8Array);
      out.scalars[text(entry.get(1)![0] as Uint8Array)] = asFloat(entry.get(2)![0] as bigint);
    }
  }
  if (fields.has(6)) out.sessionStatus = Number(decodeMessage(fields.get(6)![0] as Uint8Array).get(1)![0]);
  return out;
}

describe('mlm/tensorboard event files', () => {
  const folder = path.join(os.tmpdir(), `mlm-tensorboard-${process.pid}`);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('CRC-32C matches the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  });

  it('writes a file-version event, then one scalar summary per record; a resumed session starts with SessionLog START', async () => {
    let clock = 1_700_000_000.25;
    const logger = createTensorboardMetricsLogger(folder, { hostname: 'test host', now: () => (clock += 1) });
    await logger.open({ resumeStep: null });
    await logger.log({ step: 2, epoch: 0, time: 1, values: { 'train/loss': 2.5, 'train/lr': 1e-4 } });
    await logger.log({ step: 4, epoch: 0, time: 2, values: { 'val/prediction/exact_match': 0.125 } });
    await logger.close();
    const [file] = readdirSync(folder);
    expect(file).toBe('events.out.tfevents.1700000001.test_host');
    const events = readRecords(path.join(folder, file!)).map(decodeEvent);
    expect(events[0]).toEqual({ wallTime: 1_700_000_001.25, step: 0, fileVersion: 'brain.Event:2' });
    expect(events[1]).toMatchObject({ step: 2, scalars: { 'train/loss': 2.5, 'train/lr': Math.fround(1e-4) } });
    expect(events[2]).toMatchObject({ step: 4, scalars: { 'val/prediction/exact_match': 0.125 } });

    const resumed = createTensorboardMetricsLogger(folder, { hostname: 'test host', now: () => (clock += 1) });
    await resumed.open({ resumeStep: 4 });
    await resumed.log({ step: 6, epoch: 0, time: 3, values: { 'train/loss': 2 } });
    const second = readdirSync(folder).sort().find((name) => name !== file)!;
    const secondEvents = readRecords(path.join(folder, second)).map(decodeEvent);
    expect(secondEvents[0]!.fileVersion).toBe('brain.Event:2');
    expect(secondEvents[1]).toMatchObject({ step: 5, sessionStatus: 1 });
    expect(secondEvents[2]).toMatchObject({ step: 6, scalars: { 'train/loss': 2 } });
  });
});
