/**
 * A pickle reader that executes nothing (browser-safe, bytes in, values out).
 *
 * Python's pickle is a small stack machine whose GLOBAL/REDUCE opcodes import and call arbitrary
 * functions; loading an untrusted `.ckpt` with `torch.load(weights_only=False)` can run any code. This
 * reader interprets the data opcodes itself and resolves a GLOBAL only through the caller's allow-list
 * (`globals`): each allowed name maps to a plain JavaScript function that builds a value from its
 * arguments. Any other global is a `PickleError` naming it. There is no `eval`, no import, no
 * recursion (nesting depth cannot overflow the JavaScript stack), and every read is bounds-checked.
 *
 * Values: None → null, bool → boolean, int → number (bigint beyond 2^53), float → number,
 * str → string, bytes → Uint8Array, list/tuple → array (tuples frozen), dict → Map, set → Set.
 */
import { CheckpointError } from './state-dict.js';

export class PickleError extends CheckpointError {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

export type PickleValue = unknown;

/** A global the stream names, resolved to a function called by REDUCE / NEWOBJ with the argument tuple. */
export type PickleGlobal = (args: readonly PickleValue[], name: string) => PickleValue;

export interface UnpickleOptions {
  /** Allowed globals by "module.name" (e.g. "collections.OrderedDict"). */
  globals: Readonly<Record<string, PickleGlobal>>;
  /** PERSID / BINPERSID: builds the value of a persistent id (torch: storages). Absent → refused. */
  persistentLoad?: (id: PickleValue) => PickleValue;
  /**
   * BUILD (setting state on an object built by REDUCE): return normally to accept, throw to refuse.
   * Absent → only dicts with state (OrderedDict's `_metadata`) are accepted and the state ignored.
   */
  build?: (target: PickleValue, state: PickleValue) => void;
  /** For messages. */
  source?: string;
}

/** The object a GLOBAL opcode pushes: a callable reference to an allowed function. */
export class PickleGlobalReference {
  constructor(
    readonly name: string,
    readonly build: PickleGlobal,
  ) {}
}

const MARK = Symbol('pickle mark');

/** Opcode names for messages. */
const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT', 0x4b: 'BININT1',
  0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST',
  0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS',
  0x47: 'BINFLOAT', 0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3',
  0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE',
  0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

function describeValue(value: PickleValue): string {
  if (value === null) return 'None';
  if (value instanceof PickleGlobalReference) return `global ${value.name}`;
  if (value instanceof Map) return 'dict';
  if (Array.isArray(value)) return Object.isFrozen(value) ? 'tuple' : 'list';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'string') return `str ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return typeof value;
}

/** Decodes a little-endian two's complement integer (LONG1/LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  if ((bytes[bytes.length - 1] as number) & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Runs the pickle program in `bytes` with the given allow-list and returns the value it builds. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PickleValue {
  const source = options.source ?? 'pickle';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  let position = 0;
  let opcodeAt = 0;

  const fail = (message: string): never => {
    throw new PickleError(`${source}: byte ${opcodeAt} (${OPCODE_NAMES[bytes[opcodeAt] as number] ?? `opcode 0x${(bytes[opcodeAt] ?? 0).toString(16)}`}): ${message}`);
  };
  const take = (length: number): Uint8Array => {
    if (!(Number.isSafeInteger(length) && length >= 0 && position + length <= bytes.length)) fail(`needs ${length} more bytes but the stream ends at byte ${bytes.length} (truncated)`);
    const out = bytes.subarray(position, position + length);
    position += length;
    return out;
  };
  const u8 = () => take(1)[0] as number;
  const u16 = () => (take(2), view.getUint16(position - 2, true));
  const u32 = () => (take(4), view.getUint32(position - 4, true));
  const i32 = () => (take(4), view.getInt32(position - 4, true));
  const u64 = () => {
    take(8);
    const value = view.getBigUint64(position - 8, true);
    if (value > BigInt(bytes.length)) fail(`length ${value} exceeds the stream`);
    return Number(value);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) fail('unterminated text argument');
    const text = new TextDecoder('latin1').decode(bytes.subarray(position, end));
    position = end + 1;
    return text;
  };
  const utf8 = (data: Uint8Array): string => {
    try {
      return decoder.decode(data);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const pop = (): PickleValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= (marks[marks.length - 1] as number))) fail('stack underflow');
    return stack.pop();
  };
  const top = (): PickleValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= (marks[marks.length - 1] as number))) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PickleValue[] => {
    const mark = marks.pop();
    if (mark === undefined) fail('no MARK to pop to');
    return stack.splice(mark as number);
  };
  const resolveGlobal = (module: string, name: string): PickleGlobalReference => {
    const full = `${module}.${name}`;
    const build = Object.prototype.hasOwnProperty.call(options.globals, full) ? options.globals[full] : undefined;
    if (!build) {
      const allowed = Object.keys(options.globals).sort();
      fail(`global ${full} is not allowed: this reader runs no code and accepts only ${allowed.join(', ')}`);
    }
    return new PickleGlobalReference(full, build as PickleGlobal);
  };
  const call = (callable: PickleValue, args: PickleValue): PickleValue => {
    if (!(callable instanceof PickleGlobalReference)) fail(`cannot call ${describeValue(callable)}`);
    if (!Array.isArray(args)) fail(`arguments of ${(callable as PickleGlobalReference).name} must be a tuple, got ${describeValue(args)}`);
    try {
      return (callable as PickleGlobalReference).build(args as PickleValue[], (callable as PickleGlobalReference).name);
    } catch (error) {
      if (error instanceof PickleError) throw error;
      return fail(`${(callable as PickleGlobalReference).name}: ${(error as Error).message}`);
    }
  };
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    if (!(target instanceof Map)) fail(`cannot set items on ${describeValue(target)}`);
    if (items.length % 2 !== 0) fail('odd number of key/value items');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (typeof key === 'object' && key !== null && !Object.isFrozen(key)) fail(`unhashable dict key ${describeValue(key)}`);
      (target as Map<PickleValue, PickleValue>).set(key, items[i + 1]);
    }
  };
  const append = (target: PickleValue, items: PickleValue[]) => {
    if (!Array.isArray(target) || Object.isFrozen(target)) fail(`cannot append to ${describeValue(target)}`);
    for (const item of items) (target as PickleValue[]).push(item);
  };
  const memoGet = (index: number): PickleValue => {
    if (!memo.has(index)) fail(`memo entry ${index} was never stored`);
    return memo.get(index);
  };
  const tuple = (items: PickleValue[]) => Object.freeze(items);

  while (true) {
    if (position >= bytes.length) throw new PickleError(`${source}: the stream ends at byte ${bytes.length} without STOP (truncated)`);
    opcodeAt = position;
    const opcode = u8();
    switch (opcode) {
      case 0x80: { // PROTO
        const protocol = u8();
        if (protocol > 5) fail(`unsupported pickle protocol ${protocol}`);
        break;
      }
      case 0x95: // FRAME: a length hint only
        take(8);
        break;
      case 0x2e: { // STOP
        if (stack.length !== 1 || marks.length !== 0) fail(`STOP with ${stack.length} values on the stack (expected 1)`);
        return stack[0];
      }
      case 0x28: marks.push(stack.length); break;
      case 0x30: pop(); break;
      case 0x31: popMark(); break;
      case 0x32: stack.push(top()); break;
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: stack.push(i32()); break;
      case 0x4b: stack.push(u8()); break;
      case 0x4d: stack.push(u16()); break;
      case 0x8a: stack.push(decodeLong(take(u8()))); break;
      case 0x8b: {
        const length = i32();
        if (length < 0) fail('negative LONG4 length');
        stack.push(decodeLong(take(length)));
        break;
      }
      case 0x49: { // INT (text): also encodes booleans as 00/01
        const text = line().trim();
        if (text === '00') stack.push(false);
        else if (text === '01') stack.push(true);
        else if (/^[-+]?\d+$/.test(text)) {
          const value = BigInt(text);
          stack.push(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value);
        } else fail(`bad INT ${JSON.stringify(text)}`);
        break;
      }
      case 0x4c: { // LONG (text)
        const text = line().trim().replace(/L$/, '');
        if (!/^[-+]?\d+$/.test(text)) fail(`bad LONG ${JSON.stringify(text)}`);
        const value = BigInt(text);
        stack.push(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value);
        break;
      }
      case 0x47: take(8); stack.push(view.getFloat64(position - 8, false)); break; // BINFLOAT is big-endian
      case 0x46: { // FLOAT (text)
        const text = line().trim();
        const value = Number(text);
        if (text === '' || (Number.isNaN(value) && !/^[-+]?nan$/i.test(text))) fail(`bad FLOAT ${JSON.stringify(text)}`);
        stack.push(value);
        break;
      }
      case 0x58: stack.push(utf8(take(u32()))); break;
      case 0x8c: stack.push(utf8(take(u8()))); break;
      case 0x8d: stack.push(utf8(take(u64()))); break;
      case 0x55: stack.push(new TextDecoder('latin1').decode(take(u8()))); break;
      case 0x54: {
        const length = i32();
        if (length < 0) fail('negative BINSTRING length');
        stack.push(new TextDecoder('latin1').decode(take(length)));
        break;
      }
      case 0x43: stack.push(take(u8()).slice()); break;
      case 0x42: stack.push(take(u32()).slice()); break;
      case 0x8e: stack.push(take(u64()).slice()); break;
      case 0x96: stack.push(take(u64()).slice()); break;
      case 0x5d: stack.push([]); break;
      case 0x29: stack.push(tuple([])); break;
      case 0x7d: stack.push(new Map()); break;
      case 0x8f: stack.push(new Set()); break;
      case 0x6c: stack.push(popMark()); break;
      case 0x74: stack.push(tuple(popMark())); break;
      case 0x85: { const a = pop(); stack.push(tuple([a])); break; }
      case 0x86: { const b = pop(); const a = pop(); stack.push(tuple([a, b])); break; }
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(tuple([a, b, c])); break; }
      case 0x64: { const dict = new Map(); setItems(dict, popMark()); stack.push(dict); break; }
      case 0x61: { const value = pop(); append(top(), [value]); break; }
      case 0x65: { const items = popMark(); append(top(), items); break; }
      case 0x73: { const value = pop(); const key = pop(); setItems(top(), [key, value]); break; }
      case 0x75: { const items = popMark(); setItems(top(), items); break; }
      case 0x90: {
        const items = popMark();
        const target = top();
        if (!(target instanceof Set)) fail(`cannot add items to ${describeValue(target)}`);
        for (const item of items) (target as Set<PickleValue>).add(item);
        break;
      }
      case 0x91: stack.push(Object.freeze(new Set(popMark()))); break;
      case 0x71: memo.set(u8(), top()); break;
      case 0x72: memo.set(u32(), top()); break;
      case 0x70: {
        const text = line();
        if (!/^\d+$/.test(text)) fail(`bad PUT index ${JSON.stringify(text)}`);
        memo.set(Number(text), top());
        break;
      }
      case 0x94: memo.set(memo.size, top()); break;
      case 0x68: stack.push(memoGet(u8())); break;
      case 0x6a: stack.push(memoGet(u32())); break;
      case 0x67: {
        const text = line();
        if (!/^\d+$/.test(text)) fail(`bad GET index ${JSON.stringify(text)}`);
        stack.push(memoGet(Number(text)));
        break;
      }
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { const args = pop(); const callable = pop(); stack.push(call(callable, args)); break; }
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; }
      case 0x92: {
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(kwargs instanceof Map) || kwargs.size > 0) fail('NEWOBJ_EX with keyword arguments is not supported');
        stack.push(call(cls, args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = top();
        if (options.build) {
          try {
            options.build(target, state);
          } catch (error) {
            if (error instanceof PickleError) throw error;
            fail((error as Error).message);
          }
        } else if (!(target instanceof Map && (state === null || state instanceof Map))) {
          fail(`cannot set state ${describeValue(state)} on ${describeValue(target)}`);
        }
        break;
      }
      case 0x51: { // BINPERSID
        const id = pop();
        if (!options.persistentLoad) fail('persistent ids are not allowed here');
        try {
          stack.push(options.persistentLoad!(id));
        } catch (error) {
          if (error instanceof PickleError) throw error;
          fail((error as Error).message);
        }
        break;
      }
      default:
        fail(OPCODE_NAMES[opcode] ? `opcode ${OPCODE_NAMES[opcode]} is not supported (it would run code or is obsolete)` : 'not a pickle opcode');
    }
  }
}
