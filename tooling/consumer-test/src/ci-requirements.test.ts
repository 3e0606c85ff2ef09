import { describe, expect, it } from 'vitest';
import { prerequisiteOutcome, runningUnderCi } from './ci-requirements.js';

describe('runningUnderCi', () => {
  it.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: 'TRUE' }, true],
    [{ CI: 'false' }, false],
    [{ CI: '0' }, false],
    [{ CI: '' }, false],
    [{}, false],
  ])('%j → %s', (environment, expected) => {
    expect(runningUnderCi(environment)).toBe(expected);
  });
});

describe('prerequisiteOutcome', () => {
  it('runs when available, skips locally, fails under CI', () => {
    expect(prerequisiteOutcome(true, { CI: 'true' })).toBe('run');
    expect(prerequisiteOutcome(true, {})).toBe('run');
    expect(prerequisiteOutcome(false, {})).toBe('skip');
    expect(prerequisiteOutcome(false, { CI: 'true' })).toBe('fail');
  });
});
