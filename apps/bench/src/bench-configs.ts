/** The model sizes the issue measures (the same as torch/torch_ref.py's). */
export interface BenchConfig {
  name: string;
  dModel: number;
  numLayers: number;
  nhead: number;
  dimFeedforward: number;
  vocabSize: number;
  batchSize: number;
  length: number;
}

export const BENCH_CONFIGS: Record<string, BenchConfig> = {
  base: { name: 'base', dModel: 256, numLayers: 4, nhead: 4, dimFeedforward: 1024, vocabSize: 1000, batchSize: 32, length: 128 },
  // 7 special tokens + the 10 digits (SimpleSpaceTokenizer.forNumbers(10)); torch_ref.py uses 20.
  sudoku: { name: 'sudoku', dModel: 128, numLayers: 2, nhead: 4, dimFeedforward: 512, vocabSize: 17, batchSize: 64, length: 83 },
  tiny: { name: 'tiny', dModel: 64, numLayers: 2, nhead: 4, dimFeedforward: 256, vocabSize: 17, batchSize: 8, length: 32 },
};

export function benchConfig(name: string): BenchConfig {
  const config = BENCH_CONFIGS[name];
  if (!config) throw new Error(`unknown bench config ${JSON.stringify(name)}; expected one of ${Object.keys(BENCH_CONFIGS).join(', ')}`);
  return config;
}

export function parameterCount(config: BenchConfig): number {
  const { dModel: d, numLayers, dimFeedforward: f, vocabSize: v } = config;
  const layer = 2 * d /* norm1 */ + 3 * d * d + d * d + 2 * d /* norm2 */ + d * f + f + f * d + d;
  return v * d + numLayers * layer + 2 * d + d * v;
}
