/**
 * Reading fields of raw examples. Fields are camelCase (`inputIds`, `promptIds`, `targetIds`); the
 * reference's snake_case names (`input_ids`, `prompt_ids`, `target_ids`) are read too when the
 * camelCase field is absent, so xlm-core datasets (JSON lines, Arrow rows) work unchanged.
 */

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** The value of `field` (or its snake_case / camelCase spelling), `undefined` when absent. */
export function readField(example: Record<string, unknown>, field: string): unknown {
  if (field in example) return example[field];
  const snake = snakeCase(field);
  if (snake !== field && snake in example) return example[snake];
  const camel = camelCase(field);
  if (camel !== field && camel in example) return example[camel];
  return undefined;
}

/** Whether the example has `field` under either spelling. */
export function hasField(example: Record<string, unknown>, field: string): boolean {
  return readField(example, field) !== undefined;
}

/**
 * Validates a list of token ids: an array (or typed array) of integers in [0, vocabSize). Errors name
 * the owner, the example index, the field and the offending value.
 */
export function checkIds(owner: string, value: unknown, exampleIndex: number, field: string, vocabSize: number): readonly number[] {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    const got = value === undefined ? 'missing' : value === null ? 'null' : typeof value;
    throw new Error(`${owner}: example ${exampleIndex} field "${field}" is ${got}, expected an array of token ids`);
  }
  const ids = value as ArrayLike<number>;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new Error(
        `${owner}: example ${exampleIndex} field "${field}"[${i}] = ${JSON.stringify(id)} is not a token id of the vocabulary (expected an integer in [0, ${vocabSize}))`,
      );
    }
  }
  return Array.isArray(ids) ? (ids as number[]) : Array.from(ids);
}

/** Reads and validates a required id field of every example. */
export function readIdsField(owner: string, examples: readonly Record<string, unknown>[], field: string, vocabSize: number): (readonly number[])[] {
  return examples.map((example, index) => {
    if (example === null || typeof example !== 'object') throw new Error(`${owner}: example ${index} is ${example === null ? 'null' : typeof example}, expected an object`);
    return checkIds(owner, readField(example, field), index, field, vocabSize);
  });
}

export function checkExamples(owner: string, examples: unknown): asserts examples is Record<string, unknown>[] {
  if (!Array.isArray(examples)) throw new Error(`${owner}: expected an array of examples, got ${typeof examples}`);
  if (examples.length === 0) throw new Error(`${owner}: expected at least one example, got an empty list`);
}
