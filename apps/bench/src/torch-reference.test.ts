import { describe, expect, it } from 'vitest';
import { parseTorchOutput } from './torch-reference.js';

describe('parseTorchOutput', () => {
  it('reads RESULT lines and ignores the rest', () => {
    const output = [
      'some warning',
      'RESULT {"engine": "torch1.13", "threads": 2, "bench": "train", "config": "base", "ms": 700.5, "min": 690, "max": 720, "runs": [700.5, 690, 720]}',
      'RESULT {"engine": "torch1.13", "threads": 2, "bench": "matmul1024", "ms": 12, "min": 11, "max": 13, "gflops": 178.9, "runs": [12]}',
    ].join('\n');
    const results = parseTorchOutput(output);
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ bench: 'train', config: 'base', ms: 700.5 });
    expect(results[1]!.gflops).toBe(178.9);
  });

  it('names a malformed line', () => {
    expect(() => parseTorchOutput('RESULT {nope')).toThrow(/not JSON: RESULT \{nope/);
    expect(() => parseTorchOutput('RESULT {"bench": "fwd"}')).toThrow(/lacks bench\/ms\/runs/);
  });
});
