import type { NoiseSchedule, Tokenizer } from '@mlm/types';
import { z } from 'zod';
import { noiseScheduleSchema, truncateSchema, type Truncate } from './options.js';
import { specialIdsToAdd } from './special-ids.js';

/**
 * Schema entries of the options that `DefaultMLMCollator` and the seq2seq collators share, with
 * xlm-core's defaults; each collator spreads them into its own strict schema.
 */
export const sharedMLMCollatorOptionsShape = {
  noiseSchedule: noiseScheduleSchema.optional(),
  addBos: z.boolean().default(true),
  addEos: z.boolean().default(true),
  truncate: truncateSchema,
  lossOnPadding: z.boolean().default(true),
};

/** The shared options once parsed (defaults applied). */
export interface SharedMLMCollatorOptions {
  tokenizer: Tokenizer;
  noiseSchedule?: NoiseSchedule | undefined;
  addBos: boolean;
  addEos: boolean;
  truncate: Truncate;
  lossOnPadding: boolean;
}

/**
 * Stores the shared options and the BOS / EOS ids to add (checked against the tokenizer). A subclass
 * parses its own options first (errors name `name`), checks what only it requires, then calls `super`.
 */
export abstract class MLMCollatorBase {
  readonly tokenizer: Tokenizer;
  readonly noiseSchedule: NoiseSchedule | undefined;
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly truncate: Truncate;
  readonly lossOnPadding: boolean;
  protected readonly bosTokenId: number | undefined;
  protected readonly eosTokenId: number | undefined;
  protected readonly name: string;

  protected constructor(name: string, options: SharedMLMCollatorOptions) {
    this.name = name;
    this.tokenizer = options.tokenizer;
    this.noiseSchedule = options.noiseSchedule;
    this.addBos = options.addBos;
    this.addEos = options.addEos;
    this.truncate = options.truncate;
    this.lossOnPadding = options.lossOnPadding;
    ({ bosTokenId: this.bosTokenId, eosTokenId: this.eosTokenId } = specialIdsToAdd(name, this.tokenizer, this.addBos, this.addEos));
  }

  /** What the collate helpers take from the shared options: special ids, sizing, padding loss, owner. */
  protected sharedCollateOptions(): {
    padTokenId: number;
    maskTokenId: number;
    bosTokenId: number | undefined;
    eosTokenId: number | undefined;
    truncate: Truncate;
    lossOnPadding: boolean;
    owner: string;
  } {
    return {
      padTokenId: this.tokenizer.padTokenId,
      maskTokenId: this.tokenizer.maskTokenId,
      bosTokenId: this.bosTokenId,
      eosTokenId: this.eosTokenId,
      truncate: this.truncate,
      lossOnPadding: this.lossOnPadding,
      owner: this.name,
    };
  }
}
