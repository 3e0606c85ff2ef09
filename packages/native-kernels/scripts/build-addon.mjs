#!/usr/bin/env node
// Compiles native/native-kernels.c with the system C compiler against Node's own headers (shipped with
// Node in <prefix>/include/node; nothing is downloaded) into the prebuildify layout:
//   prebuilds/<platform>-<arch>/mlm-native-kernels.napi.node
// Where no compiler or no headers exist it prints "skipped: <why>" and exits 0: the addon is optional,
// @mlm/backend then runs without it and says why.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(packageDir, 'native', 'native-kernels.c');
const outputDir = path.join(packageDir, 'prebuilds', `${process.platform}-${process.arch}`);
const output = path.join(outputDir, 'mlm-native-kernels.napi.node');

function skip(reason) {
  console.log(`@mlm/native-kernels: skipped: ${reason}; @mlm/backend will run without native kernels`);
  process.exit(0);
}

if (process.env.MLM_NATIVE_BUILD === '0') skip('MLM_NATIVE_BUILD=0');
if (process.platform === 'win32') skip('building on Windows is not supported (no dlopen); use a prebuilt binary');

function findCompiler() {
  const candidates = process.env.CC ? [process.env.CC] : ['cc', 'gcc', 'clang'];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function findNodeHeaders() {
  const candidates = [
    process.env.MLM_NODE_INCLUDE,
    path.resolve(path.dirname(process.execPath), '..', 'include', 'node'),
    process.config?.variables?.node_prefix && path.join(process.config.variables.node_prefix, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].filter(Boolean);
  return candidates.find((dir) => existsSync(path.join(dir, 'node_api.h')));
}

const compiler = findCompiler();
if (!compiler) skip(`no C compiler found (tried ${process.env.CC ? `CC=${process.env.CC}` : 'cc, gcc, clang'})`);
const include = findNodeHeaders();
if (!include) skip(`Node's headers (node_api.h) not found beside ${process.execPath}; set MLM_NODE_INCLUDE to their folder`);

const flags = ['-O3', '-fno-trapping-math', '-fno-math-errno', '-std=c11', '-D_GNU_SOURCE', '-fPIC', '-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter', `-I${include}`];
const link = process.platform === 'darwin' ? ['-dynamiclib', '-undefined', 'dynamic_lookup'] : ['-shared', '-ldl', '-lpthread', '-lm'];
mkdirSync(outputDir, { recursive: true });
const temporary = `${output}.${process.pid}.tmp`;
const args = [...flags, '-o', temporary, source, ...link];
try {
  execFileSync(compiler, args, { stdio: 'inherit' });
} catch {
  rmSync(temporary, { force: true });
  if (process.env.MLM_NATIVE_BUILD === '1') {
    console.error(`@mlm/native-kernels: the compiler failed: ${compiler} ${args.join(' ')}`);
    process.exit(1);
  }
  skip(`the C compiler failed (${compiler}); see its output above`);
}
renameSync(temporary, output); // atomic: a concurrent loader never sees a half-written addon
console.log(`@mlm/native-kernels: built ${path.relative(packageDir, output)} with ${compiler}`);
