// Port of xlm-core tests/models/mlm/test_metrics_mlm.py and tests/core/test_metrics.py.
import { describe, expect, it } from 'vitest';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import {
  MeanMetric,
  MetricWrapper,
  exactMatchUpdateFn,
  getMetricUpdateFunction,
  infillTokenAccuracyUpdateFn,
  meanMetricUpdateFn,
  seq2seqExactMatchUpdateFn,
  seq2seqTokenAccuracyUpdateFn,
  stepsTakenUpdateFn,
} from './index.js';
import { bools, ints, rows } from './test-matrices.js';

const tokenizer = SimpleSpaceTokenizer.forNumbers(50); // xlm-core's simple_tokenizer
const MASK = tokenizer.maskTokenId; // 2

describe('MLM metric update functions (test_metrics_mlm)', () => {
  it('exactMatchUpdateFn passes ids and targets through, no lengths', () => {
    const batch = { targetIds: ints([[1, 2, 3], [4, 5, 0]]) };
    const output = { ids: ints([[1, 2, 3], [4, 5, 6]]) };
    const args = exactMatchUpdateFn(batch, output);
    expect(args.pred).toBe(output.ids);
    expect(args.target).toBe(batch.targetIds);
    expect(args.predLength).toBeNull();
    expect(args.targetLength).toBeNull();
  });

  it('infillTokenAccuracyUpdateFn counts the positions that were [MASK] in the input', () => {
    const M = MASK;
    const batch = { inputIds: ints([[10, M, 11, M], [M, 12, 13, 14]]), targetIds: ints([[10, 50, 11, 60], [70, 12, 13, 14]]) };
    const output = { ids: ints([[10, 99, 11, 100], [88, 12, 13, 14]]) };
    const args = infillTokenAccuracyUpdateFn(batch, output, tokenizer);
    expect(rows(args.predMask!)).toEqual(rows(bools([[false, true, false, true], [true, false, false, false]])));
    expect(args.pred).toBe(output.ids);
    expect(args.target).toBe(batch.targetIds);
  });

  it('infillTokenAccuracyUpdateFn without a tokenizer says it needs one', () => {
    expect(() => infillTokenAccuracyUpdateFn({ inputIds: ints([[1]]), targetIds: ints([[1]]) }, { ids: ints([[1]]) })).toThrow(/tokenizer/);
  });

  const ids = ints([[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]); // arange(12).reshape(2, 6)
  const seq2seqBatch = { targetIds: ints([[10, 11], [16, 17]]) };

  it('seq2seqExactMatchUpdateFn slices the generated suffix and reports both lengths', () => {
    const args = seq2seqExactMatchUpdateFn(seq2seqBatch, { ids, outputStartIdx: 4 });
    expect(rows(args.pred)).toEqual([[4, 5], [10, 11]]);
    expect(args.target).toBe(seq2seqBatch.targetIds);
    expect(args.predLength).toBe(2);
    expect(args.targetLength).toBe(2);
  });

  it('seq2seqTokenAccuracyUpdateFn counts every suffix position', () => {
    const args = seq2seqTokenAccuracyUpdateFn(seq2seqBatch, { ids, outputStartIdx: 4 });
    expect(rows(args.pred)).toEqual([[4, 5], [10, 11]]);
    expect(args.predMask!.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(args.predMask!.data)).toEqual([1, 1, 1, 1]);
  });

  it('meanMetricUpdateFn reads the loss (a number or a tensor-like)', () => {
    expect(meanMetricUpdateFn({}, { loss: 0.25 }).value).toBe(0.25);
    const scalar = { dataSync: () => Float32Array.of(0.25) };
    const metric = new MeanMetric();
    metric.update(meanMetricUpdateFn({}, { loss: scalar }));
    expect(metric.compute()).toBe(0.25);
  });

  it('stepsTakenUpdateFn gives the mean number of steps', () => {
    const metric = new MeanMetric();
    metric.update(stepsTakenUpdateFn({}, { stepsTaken: [3, 5] }));
    expect(metric.compute()).toBe(4);
  });

  it('missing fields are named', () => {
    expect(() => seq2seqExactMatchUpdateFn({ targetIds: ints([[1]]) }, { ids: ints([[1]]) })).toThrow(/outputStartIdx is missing/);
    expect(() => exactMatchUpdateFn({}, { ids: ints([[1]]) })).toThrow(/batch\.targetIds is missing/);
    expect(() => meanMetricUpdateFn({}, { loss: null })).toThrow(/output\.loss is missing/);
  });

  it('functions are found by camelCase, xlm-core and dotted names', () => {
    expect(getMetricUpdateFunction('seq2seqExactMatchUpdateFn')).toBe(seq2seqExactMatchUpdateFn);
    expect(getMetricUpdateFunction('mlm.metrics_mlm.seq2seq_exact_match_update_fn')).toBe(seq2seqExactMatchUpdateFn);
    expect(getMetricUpdateFunction('xlm.metrics.steps_taken_update_fn')).toBe(stepsTakenUpdateFn);
    expect(() => getMetricUpdateFunction('nope')).toThrow(/"nope" is unknown; expected one of .*exactMatchUpdateFn/);
  });
});

describe('MetricWrapper (tests/core/test_metrics.py)', () => {
  it('updates a MeanMetric through an identity update function', () => {
    const wrapper = new MetricWrapper({
      name: 'test_loss',
      metric: new MeanMetric(),
      updateFn: (_batch: unknown, output: { loss: number }) => ({ value: output.loss }),
      prefix: 'train/',
    });
    wrapper.update({}, { loss: 1.5 });
    expect(wrapper.metric.compute()).toBe(1.5);
    expect(wrapper.fullName).toBe('train/test_loss');
    expect(wrapper.getLogDict()).toEqual({ 'train/test_loss': 1.5 });
    wrapper.reset();
    expect(Number.isNaN(wrapper.compute())).toBe(true);
  });

  it('resolves update functions by name and exposes per-sample values once', async () => {
    const { ExactMatch } = await import('./index.js');
    const seq2seqBatch = { targetIds: ints([[10, 11], [16, 17]]) };
    const wrapper = new MetricWrapper({ name: 'exact_match', metric: new ExactMatch(), updateFn: 'seq2seq_exact_match_update_fn', prefix: 'val/prediction' });
    wrapper.update(seq2seqBatch, { ids: ints([[9, 9, 9, 9, 10, 11], [0, 0, 0, 0, 16, 0]]), outputStartIdx: 4 });
    expect(wrapper.fullName).toBe('val/prediction/exact_match');
    expect(wrapper.takePerSample()).toEqual([1, 0]);
    expect(wrapper.takePerSample()).toBeUndefined();
    expect(wrapper.compute()).toBe(0.5);
  });

  it('passToUpdateFn overrides what the update function returns', () => {
    const seen: unknown[] = [];
    const metric = { name: 'probe', update: (args: unknown) => seen.push(args), compute: () => 0, reset: () => {}, lastPerSample: undefined };
    const wrapper = new MetricWrapper({ name: 'probe', metric, updateFn: () => ({ a: 1, b: 2 }), passToUpdateFn: { b: 3 } });
    wrapper.update({}, {});
    expect(seen).toEqual([{ a: 1, b: 3 }]);
    expect(wrapper.fullName).toBe('probe');
  });
});
