/**
 * Semi-autoregressive generation: the generated window is cut into blocks of `blockLength` columns,
 * filled left to right. `maxSteps` is split across blocks as evenly as possible (the first
 * `maxSteps % numBlocks` blocks get one step more); each row moves to its next block as soon as its
 * current block has no [MASK] left or has used its steps.
 */
export interface BlockPlan {
  blockLength: number;
  windowStart: number;
  length: number;
  numBlocks: number;
  /** Steps each block may use. */
  budgets: Int32Array;
}

export function createBlockPlan({ windowStart, length, blockLength, maxSteps }: { windowStart: number; length: number; blockLength: number; maxSteps: number }): BlockPlan {
  const windowLength = Math.max(0, length - windowStart);
  const numBlocks = Math.ceil(windowLength / blockLength);
  if (numBlocks > maxSteps) {
    throw new Error(
      `MLMPredictor: blockLength = ${blockLength} cuts the ${windowLength}-column generated window into ${numBlocks} blocks, but maxSteps = ${maxSteps}; expected maxSteps ≥ the number of blocks (one step per block at least)`,
    );
  }
  const budgets = new Int32Array(numBlocks);
  for (let j = 0; j < numBlocks; j++) budgets[j] = Math.floor(maxSteps / numBlocks) + (j < maxSteps % numBlocks ? 1 : 0);
  return { blockLength, windowStart, length, numBlocks, budgets };
}

/** Where each row of a batch is in its block plan. */
export class BlockCursor {
  readonly currentBlock: Int32Array;
  readonly stepsInBlock: Int32Array;

  constructor(readonly plan: BlockPlan, readonly batchSize: number) {
    this.currentBlock = new Int32Array(batchSize);
    this.stepsInBlock = new Int32Array(batchSize);
  }

  /** Columns [start, end) of block j. */
  blockRange(block: number): [number, number] {
    const start = this.plan.windowStart + block * this.plan.blockLength;
    return [start, Math.min(this.plan.length, start + this.plan.blockLength)];
  }

  /** Moves every row past blocks that are complete or out of steps. */
  advance(ids: Int32Array, maskTokenId: number): void {
    const { numBlocks, budgets, length } = this.plan;
    for (let b = 0; b < this.batchSize; b++) {
      while ((this.currentBlock[b] as number) < numBlocks) {
        const block = this.currentBlock[b] as number;
        const [start, end] = this.blockRange(block);
        let hasMask = false;
        for (let i = start; i < end && !hasMask; i++) hasMask = ids[b * length + i] === maskTokenId;
        if (hasMask && (this.stepsInBlock[b] as number) < (budgets[block] as number)) break;
        this.currentBlock[b] = block + 1;
        this.stepsInBlock[b] = 0;
      }
    }
  }

  /** Per row: is the position's column inside the row's current block? */
  inCurrentBlock(b: number, column: number): boolean {
    const block = this.currentBlock[b] as number;
    if (block >= this.plan.numBlocks) return false;
    const [start, end] = this.blockRange(block);
    return column >= start && column < end;
  }

  stepsLeft(b: number): number {
    const block = this.currentBlock[b] as number;
    if (block >= this.plan.numBlocks) return 1;
    return (this.plan.budgets[block] as number) - (this.stepsInBlock[b] as number);
  }

  totalSteps(b: number): number {
    const block = this.currentBlock[b] as number;
    return block >= this.plan.numBlocks ? 1 : (this.plan.budgets[block] as number);
  }

  /** Counts the step just taken against each row's current block. */
  afterStep(): void {
    for (let b = 0; b < this.batchSize; b++) {
      if ((this.currentBlock[b] as number) < this.plan.numBlocks) this.stepsInBlock[b] = (this.stepsInBlock[b] as number) + 1;
    }
  }
}
