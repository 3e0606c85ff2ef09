/**
 * The special tokens of xlm-core's `SimpleSpaceTokenizer`, in id order: `[PAD]`=0, `[CLS]`=1,
 * `[MASK]`=2, `[EOS]`=3, `[BOS]`=4, `[SEP]`=5, `[UNK]`=6. Vocabulary-built tokenizers of this package
 * (`SimpleSpaceTokenizer`, `CharacterTokenizer`) put them first, so every one of them has the same
 * special ids.
 */
export const SPECIAL_TOKENS = ['[PAD]', '[CLS]', '[MASK]', '[EOS]', '[BOS]', '[SEP]', '[UNK]'] as const;

export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

export const PAD_TOKEN = '[PAD]';
export const CLS_TOKEN = '[CLS]';
export const MASK_TOKEN = '[MASK]';
export const EOS_TOKEN = '[EOS]';
export const BOS_TOKEN = '[BOS]';
export const SEP_TOKEN = '[SEP]';
export const UNK_TOKEN = '[UNK]';

/** Number of special tokens that precede the vocabulary (the id of the first vocabulary entry). */
export const NUM_SPECIAL_TOKENS = SPECIAL_TOKENS.length;
