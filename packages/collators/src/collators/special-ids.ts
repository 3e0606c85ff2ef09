import type { Tokenizer } from '@mlm/types';

/** The BOS / EOS ids to add, checking that the tokenizer has them. */
export function specialIdsToAdd(owner: string, tokenizer: Tokenizer, addBos: boolean, addEos: boolean): { bosTokenId: number | undefined; eosTokenId: number | undefined } {
  if (addBos && tokenizer.bosTokenId === undefined) throw new Error(`${owner}: addBos is true but the tokenizer has no BOS token (bosTokenId is undefined); pass addBos: false`);
  if (addEos && tokenizer.eosTokenId === undefined) throw new Error(`${owner}: addEos is true but the tokenizer has no EOS token (eosTokenId is undefined); pass addEos: false`);
  return { bosTokenId: addBos ? tokenizer.bosTokenId : undefined, eosTokenId: addEos ? tokenizer.eosTokenId : undefined };
}
