import * as tf from '@tensorflow/tfjs-core';

export interface KernelShare {
  kernel: string;
  ms: number;
  calls: number;
  share: number;
}

/** Kernel time by kernel name for one call of `run` (tf.profile), largest first. */
export async function profileKernels(run: () => void): Promise<{ totalMs: number; kernels: KernelShare[] }> {
  const info = await tf.profile(() => {
    run();
  });
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const kernel of info.kernels) {
    const entry = byName.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
    entry.calls++;
    byName.set(kernel.name, entry);
  }
  // Op-level entries (names ending in __op, "unnamed scope") wrap kernels already counted.
  const kernels = [...byName.entries()].filter(([name]) => !name.endsWith('__op') && name !== 'unnamed scope');
  const totalMs = kernels.reduce((sum, [, entry]) => sum + entry.ms, 0);
  return {
    totalMs,
    kernels: kernels
      .map(([kernel, entry]) => ({ kernel, ms: entry.ms, calls: entry.calls, share: totalMs > 0 ? entry.ms / totalMs : 0 }))
      .sort((a, b) => b.ms - a.ms),
  };
}
