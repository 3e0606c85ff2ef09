import type { RandomSource } from './random.js';

/**
 * xlm-core `NoiseSchedule`. MLM itself hard-codes t ~ U[0,1) with masking probability t
 * (a linear schedule); other xlm models plug their own schedule in here.
 */
export interface NoiseSchedule {
  /** Instantaneous noise rate at time t. */
  noiseRate(t: number): number;
  /** Cumulative noise up to time t. */
  totalNoise(t: number): number;
  tFromNoiseRate(rate: number): number;
  tFromTotalNoise(total: number): number;
  /** Draws `batchSize` times in [0, 1). */
  sampleT(batchSize: number, random: RandomSource): Float32Array;
}
