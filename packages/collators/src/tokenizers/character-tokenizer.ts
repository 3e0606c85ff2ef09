import type { TokenizerJSON } from '@mlm/types';
import { SPECIAL_TOKENS } from './special-tokens.js';
import { VocabularyTokenizer } from './vocabulary-tokenizer.js';

/** The saved form of a `CharacterTokenizer`. */
export interface CharacterTokenizerJSON extends TokenizerJSON {
  type: 'character';
  /** One character (Unicode code point) per entry, in id order from 7. */
  characters: string[];
}

/**
 * One token per character (Unicode code point), built from a corpus. Ids: the seven special tokens of
 * `SimpleSpaceTokenizer` (`[PAD]`=0 ... `[UNK]`=6), then the corpus characters sorted by code point.
 * The special tokens' strings (`[MASK]`, `[PAD]`, ...) written in the text are recognised as one token
 * each, so decoded text with specials encodes back to the same ids.
 */
export class CharacterTokenizer extends VocabularyTokenizer {
  constructor(characters: readonly string[]) {
    super(characters, 'CharacterTokenizer');
    characters.forEach((character, index) => {
      if ([...character].length !== 1) {
        throw new Error(`CharacterTokenizer: characters[${index}] = ${JSON.stringify(character)}, expected exactly one character`);
      }
    });
  }

  /** Collects the distinct characters of `corpus` (a string or an iterable of strings). */
  static fromCorpus(corpus: string | Iterable<string>): CharacterTokenizer {
    const seen = new Set<string>();
    const texts = typeof corpus === 'string' ? [corpus] : corpus;
    let index = 0;
    for (const text of texts) {
      if (typeof text !== 'string') throw new Error(`CharacterTokenizer.fromCorpus: corpus[${index}] is ${typeof text}, expected a string`);
      for (const character of text) seen.add(character);
      index++;
    }
    const characters = [...seen].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
    return new CharacterTokenizer(characters);
  }

  static fromJSON(json: TokenizerJSON): CharacterTokenizer {
    const characters = json.characters;
    if (json.type !== 'character' || !Array.isArray(characters) || !characters.every((c) => typeof c === 'string')) {
      throw new Error(`CharacterTokenizer.fromJSON: expected { type: 'character', characters: string[] }, got type ${JSON.stringify(json.type)}`);
    }
    return new CharacterTokenizer(characters as string[]);
  }

  /** One token per character; special-token strings count as one token; unknown characters throw. */
  tokenize(text: string): string[] {
    const tokens: string[] = [];
    let i = 0;
    while (i < text.length) {
      if (text[i] === '[') {
        const special = SPECIAL_TOKENS.find((token) => text.startsWith(token, i));
        if (special !== undefined) {
          tokens.push(special);
          i += special.length;
          continue;
        }
      }
      const character = String.fromCodePoint(text.codePointAt(i) as number);
      if (!this.tokenToId.has(character)) throw new Error(`Token ${character} not in vocab`);
      tokens.push(character);
      i += character.length;
    }
    return tokens;
  }

  protected joinTokens(tokens: string[]): string {
    return tokens.join('');
  }

  toJSON(): CharacterTokenizerJSON {
    return { type: 'character', characters: this.vocabulary };
  }
}
