/** A NaN or infinite loss (or gradient norm) with `training.skipNonFiniteBatches` off. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly what: string,
    public lastCheckpoint: string | undefined,
    readonly advice = 'Lower optimizer.lr, check the data, or set training.skipNonFiniteBatches=true to skip such batches.',
  ) {
    super();
    this.name = 'NonFiniteLossError';
    this.message = this.describe();
  }

  /** Names a checkpoint written after the error (the on-exception checkpoint) as the last good one. */
  setLastCheckpoint(directory: string): void {
    this.lastCheckpoint = directory;
    this.message = this.describe();
  }

  private describe(): string {
    return (
      `${this.what} at step ${this.step}; training stopped. ` +
      (this.lastCheckpoint ? `The last good checkpoint is ${this.lastCheckpoint}. ` : 'No checkpoint was written yet. ') +
      this.advice
    );
  }
}
