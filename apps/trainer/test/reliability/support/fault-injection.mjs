// `node --import <this file>`: a fault-injection seam for the reliability tests. It wraps the file
// system calls that write (node:fs and node:fs/promises, including the ESM named exports through
// `syncBuiltinESMExports`) and, for operations on paths that match, can
//   - record every operation (MLM_FAULT_TRACE=<file>: one JSON line {op, path} per call),
//   - kill the process with SIGKILL at the n-th matching operation (MLM_FAULT_KILL), optionally
//     after writing only part of the data ("torn": true), as a power cut or `kill -9` would,
//   - fail the n-th matching write with ENOSPC after writing part of it (MLM_FAULT_ENOSPC), as a
//     full disk does,
//   - send the process a signal (SIGINT, SIGTERM) at the n-th matching operation (MLM_FAULT_SIGNAL,
//     with "signal"), so a Ctrl-C lands at a known point,
//   - report MLM_FAULT_FREE_BYTES free bytes from statfs (a nearly full disk).
// MLM_FAULT_KILL / MLM_FAULT_ENOSPC / MLM_FAULT_SIGNAL hold JSON: {"match": "<regular expression on 'op path'>",
// "occurrence": n (1-based), "torn": boolean}. Nothing is changed when neither variable is set.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const parse = (name) => (process.env[name] ? JSON.parse(process.env[name]) : undefined);
const killRule = parse('MLM_FAULT_KILL');
const noSpaceRule = parse('MLM_FAULT_ENOSPC');
const signalRule = parse('MLM_FAULT_SIGNAL');
const traceFile = process.env.MLM_FAULT_TRACE;
const watched = process.env.MLM_FAULT_WATCH; // only paths under this folder count

const original = {
  appendFileSync: fs.appendFileSync,
  writeFileSync: fs.writeFileSync,
  promises: { ...fs.promises },
  sync: { ...fs },
};
const counts = new Map();
// appendFileSync calls writeFileSync internally: count only the outermost call.
let depth = 0;

function matches(rule, description) {
  if (!rule) return false;
  if (!new RegExp(rule.match).test(description)) return false;
  const count = (counts.get(rule) ?? 0) + 1;
  counts.set(rule, count);
  return count === rule.occurrence;
}

function partOf(data) {
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return bytes.subarray(0, Math.floor(bytes.length / 2));
}

/** Writes (or appends) the first half of `data`, as an interrupted write leaves it. */
function tornWrite(op, target, data) {
  depth += 1;
  if (op.startsWith('append')) original.appendFileSync(target, partOf(data));
  else original.writeFileSync(target, partOf(data));
  depth -= 1;
}

function noSpaceError(file) {
  const error = new Error(`ENOSPC: no space left on device, write '${file}'`);
  Object.assign(error, { code: 'ENOSPC', errno: -28, syscall: 'write', path: file });
  return error;
}

/** What to do before an operation: nothing, or die / fail (after a torn write for writes). */
function intercept(op, file, data) {
  const target = String(file);
  if (depth > 0 || (watched && !target.startsWith(watched))) return;
  const description = `${op} ${target}`;
  if (traceFile) {
    depth += 1;
    original.appendFileSync(traceFile, `${JSON.stringify({ op, path: target })}\n`);
    depth -= 1;
  }
  if (matches(killRule, description)) {
    if (killRule.torn && data !== undefined) tornWrite(op, target, data);
    process.kill(process.pid, 'SIGKILL');
    // SIGKILL is delivered asynchronously; never let the operation run.
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  }
  if (matches(signalRule, description)) {
    process.kill(process.pid, signalRule.signal);
  }
  if (matches(noSpaceRule, description)) {
    if (data !== undefined) tornWrite(op, target, data);
    throw noSpaceError(target);
  }
}

const promiseOps = { writeFile: true, appendFile: true, rename: false, rm: false, unlink: false, mkdir: false, copyFile: false };
for (const [op, hasData] of Object.entries(promiseOps)) {
  const base = original.promises[op];
  fs.promises[op] = async function (file, ...rest) {
    intercept(op, op === 'rename' || op === 'copyFile' ? `${file} -> ${rest[0]}` : file, hasData ? rest[0] : undefined);
    return base.call(this, file, ...rest);
  };
}
const syncOps = { writeFileSync: true, appendFileSync: true, renameSync: false, rmSync: false, unlinkSync: false, mkdirSync: false };
for (const [op, hasData] of Object.entries(syncOps)) {
  const base = original.sync[op];
  fs[op] = function (file, ...rest) {
    intercept(op, op === 'renameSync' ? `${file} -> ${rest[0]}` : file, hasData ? rest[0] : undefined);
    depth += 1;
    try {
      return base.call(this, file, ...rest);
    } finally {
      depth -= 1;
    }
  };
}
const freeBytes = process.env.MLM_FAULT_FREE_BYTES === undefined ? undefined : Number(process.env.MLM_FAULT_FREE_BYTES);
if (freeBytes !== undefined) {
  const withFree = (stats) => Object.assign(stats, { bavail: Math.floor(freeBytes / stats.bsize), bfree: Math.floor(freeBytes / stats.bsize) });
  const statfsSync = fs.statfsSync;
  const statfs = fs.promises.statfs;
  fs.statfsSync = (...args) => withFree(statfsSync(...args));
  fs.promises.statfs = async (...args) => withFree(await statfs(...args));
  const callbackStatfs = fs.statfs;
  fs.statfs = (file, ...rest) => {
    const callback = rest.pop();
    callbackStatfs(file, ...rest, (error, stats) => callback(error, error ? stats : withFree(stats)));
  };
}
syncBuiltinESMExports();
