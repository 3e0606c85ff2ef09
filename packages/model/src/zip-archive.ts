/**
 * A strict, zero-copy reader of the zip archives `torch.save` writes (Lightning `.ckpt`, `.pth`,
 * Hugging Face `pytorch_model.bin`). Browser-safe: bytes in, views out, no file access.
 *
 * Written here rather than taken from a library because PyTorch archives are always "stored"
 * (uncompressed, 64-byte aligned) and can be several GiB: the general-purpose readers either copy
 * every entry (fflate's unzipSync) or need a file handle (yauzl), while views into the caller's buffer
 * cost nothing. Compressed entries are refused with a clear error (torch never writes them).
 * ZIP64 records are read (torch writes them for archives over 4 GiB). Every offset is bounds-checked and
 * every entry's CRC-32 is verified, so a truncated or corrupted file fails here, naming the entry.
 */
import { CheckpointError } from './state-dict.js';

export class ZipArchiveError extends CheckpointError {
  constructor(message: string) {
    super(message);
    this.name = 'ZipArchiveError';
  }
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const MAX_COMMENT = 0xffff;

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, the zip checksum) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = (crcTable[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function readUint64(view: DataView, offset: number, where: string): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipArchiveError(`${where}: 64-bit value ${value} is too large`);
  return Number(value);
}

/** Entry name → a view of its bytes (inside `bytes`; nothing is copied). */
export function readZipArchive(bytes: Uint8Array, source = 'zip archive'): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.byteLength;
  const need = (offset: number, length: number, what: string) => {
    if (!(offset >= 0 && length >= 0 && offset + length <= size)) {
      throw new ZipArchiveError(`${source}: ${what} at byte ${offset} (+${length}) lies outside the ${size}-byte file (truncated or not a zip archive)`);
    }
  };
  if (size < 22) throw new ZipArchiveError(`${source}: ${size} bytes is too short for a zip archive`);
  let end = -1;
  for (let offset = size - 22; offset >= Math.max(0, size - 22 - MAX_COMMENT); offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY && offset + 22 + view.getUint16(offset + 20, true) === size) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw new ZipArchiveError(`${source}: no end-of-central-directory record (not a zip archive, or truncated)`);
  let entryCount = view.getUint16(end + 10, true);
  let directorySize = view.getUint32(end + 12, true);
  let directoryOffset = view.getUint32(end + 16, true);
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = end - 20;
    need(locator, 20, 'ZIP64 locator');
    if (view.getUint32(locator, true) !== ZIP64_LOCATOR) throw new ZipArchiveError(`${source}: ZIP64 fields without a ZIP64 locator`);
    const record = readUint64(view, locator + 8, `${source}: ZIP64 locator`);
    need(record, 56, 'ZIP64 end-of-central-directory record');
    if (view.getUint32(record, true) !== ZIP64_END_OF_CENTRAL_DIRECTORY) throw new ZipArchiveError(`${source}: bad ZIP64 end-of-central-directory signature`);
    entryCount = readUint64(view, record + 32, `${source}: ZIP64 entry count`);
    directorySize = readUint64(view, record + 40, `${source}: ZIP64 directory size`);
    directoryOffset = readUint64(view, record + 48, `${source}: ZIP64 directory offset`);
  }
  need(directoryOffset, directorySize, 'central directory');
  if (entryCount > directorySize / 46) throw new ZipArchiveError(`${source}: ${entryCount} entries cannot fit in a ${directorySize}-byte central directory`);

  const decoder = new TextDecoder('utf-8', { fatal: false });
  const entries = new Map<string, Uint8Array>();
  let cursor = directoryOffset;
  for (let index = 0; index < entryCount; index++) {
    need(cursor, 46, `central directory entry ${index}`);
    if (view.getUint32(cursor, true) !== CENTRAL_DIRECTORY_ENTRY) throw new ZipArchiveError(`${source}: central directory entry ${index} has a bad signature`);
    const method = view.getUint16(cursor + 10, true);
    const expectedCrc = view.getUint32(cursor + 16, true);
    let compressedSize = view.getUint32(cursor + 20, true);
    let uncompressedSize = view.getUint32(cursor + 24, true);
    const nameLength = view.getUint16(cursor + 28, true);
    const extraLength = view.getUint16(cursor + 30, true);
    const commentLength = view.getUint16(cursor + 32, true);
    let localOffset = view.getUint32(cursor + 42, true);
    need(cursor + 46, nameLength + extraLength + commentLength, `central directory entry ${index} name`);
    const name = decoder.decode(bytes.subarray(cursor + 46, cursor + 46 + nameLength));
    // ZIP64 extended information: the 64-bit values replace the 0xffffffff fields, in this order.
    let extra = cursor + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (extra + 4 + length > extraEnd) break;
      if (id === 0x0001) {
        let field = extra + 4;
        const take = (what: string) => {
          if (field + 8 > extra + 4 + length) throw new ZipArchiveError(`${source}: entry ${JSON.stringify(name)}: ZIP64 field ${what} missing`);
          const value = readUint64(view, field, `${source}: entry ${JSON.stringify(name)} ${what}`);
          field += 8;
          return value;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take('uncompressed size');
        if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
        if (localOffset === 0xffffffff) localOffset = take('local header offset');
      }
      extra += 4 + length;
    }
    cursor += 46 + nameLength + extraLength + commentLength;
    if (method !== 0) throw new ZipArchiveError(`${source}: entry ${JSON.stringify(name)} is compressed (method ${method}); only stored entries (as torch.save writes them) are supported`);
    if (compressedSize !== uncompressedSize) throw new ZipArchiveError(`${source}: entry ${JSON.stringify(name)} is stored but its sizes differ (${compressedSize} vs ${uncompressedSize})`);
    need(localOffset, 30, `local header of ${JSON.stringify(name)}`);
    if (view.getUint32(localOffset, true) !== LOCAL_FILE_HEADER) throw new ZipArchiveError(`${source}: entry ${JSON.stringify(name)} has a bad local header signature`);
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    need(dataStart, compressedSize, `data of ${JSON.stringify(name)}`);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    const actualCrc = crc32(data);
    if (actualCrc !== expectedCrc) throw new ZipArchiveError(`${source}: entry ${JSON.stringify(name)} is corrupted (CRC-32 ${actualCrc.toString(16)}, expected ${expectedCrc.toString(16)})`);
    if (entries.has(name)) throw new ZipArchiveError(`${source}: entry ${JSON.stringify(name)} appears twice`);
    entries.set(name, data);
  }
  return entries;
}
