import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  /** Logical cores the process may use. */
  cores: number;
  /** CPU flags that matter for SIMD (from /proc/cpuinfo). */
  simdFlags: string[];
  totalMemoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the bench started (other work on the machine slows every number). */
  loadAverage: number;
}

/** The CPU model from /proc/cpuinfo's first "model name" (falls back to os.cpus()). */
export function cpuModelFrom(cpuinfo: string | undefined): string | undefined {
  const match = cpuinfo?.match(/^model name\s*:\s*(.+)$/m);
  return match?.[1]?.trim();
}

export function simdFlagsFrom(cpuinfo: string | undefined): string[] {
  const flags = cpuinfo?.match(/^flags\s*:\s*(.+)$/m)?.[1]?.split(/\s+/) ?? [];
  return ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_bf16', 'neon', 'asimd'].filter((flag) => flags.includes(flag));
}

export function machineInfo(): MachineInfo {
  let cpuinfo: string | undefined;
  try {
    cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    cpuinfo = undefined;
  }
  return {
    cpuModel: cpuModelFrom(cpuinfo) ?? os.cpus()[0]?.model ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    simdFlags: simdFlagsFrom(cpuinfo),
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}
