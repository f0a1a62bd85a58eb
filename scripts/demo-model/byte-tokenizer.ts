// A byte-level tokenizer for the demo model: three special tokens, then one token per byte.

/** Special tokens and their ids; byte b has id BYTE_OFFSET + b. */
export const SPECIAL_TOKENS = { unk: '<unk>', bos: '<s>', eos: '</s>' } as const;

/** Ids of `<unk>`, `<s>` and `</s>`. */
export const SPECIAL_IDS = { unk: 0, bos: 1, eos: 2 } as const;

/** Id of byte 0; the vocabulary is BYTE_OFFSET + 256 tokens. */
export const BYTE_OFFSET = 3;

/**
 * GPT-2's byte-to-character table, which the ByteLevel pre-tokenizer and decoder use: printable
 * bytes map to themselves, the others to code points from 256 up, in byte order.
 */
export function byteToUnicode(): string[] {
  const printable = (byte: number) =>
    (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
  const table: string[] = [];
  let extra = 0;
  for (let byte = 0; byte < 256; byte += 1) {
    if (printable(byte)) {
      table.push(String.fromCodePoint(byte));
    } else {
      table.push(String.fromCodePoint(256 + extra));
      extra += 1;
    }
  }
  return table;
}

function added(id: number, content: string) {
  return {
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  };
}

/** `tokenizer.json`: a BPE model with no merges over the 256 byte symbols, BOS prepended. */
export function tokenizerJson(): unknown {
  const vocab: Record<string, number> = {
    [SPECIAL_TOKENS.unk]: SPECIAL_IDS.unk,
    [SPECIAL_TOKENS.bos]: SPECIAL_IDS.bos,
    [SPECIAL_TOKENS.eos]: SPECIAL_IDS.eos,
  };
  byteToUnicode().forEach((symbol, byte) => {
    vocab[symbol] = BYTE_OFFSET + byte;
  });
  const byteLevel = {
    type: 'ByteLevel',
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: true,
  };

  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      added(SPECIAL_IDS.unk, SPECIAL_TOKENS.unk),
      added(SPECIAL_IDS.bos, SPECIAL_TOKENS.bos),
      added(SPECIAL_IDS.eos, SPECIAL_TOKENS.eos),
    ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: {
        [SPECIAL_TOKENS.bos]: {
          id: SPECIAL_TOKENS.bos,
          ids: [SPECIAL_IDS.bos],
          tokens: [SPECIAL_TOKENS.bos],
        },
      },
    },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
}

/** `tokenizer_config.json` for transformers.js's generic fast tokenizer. */
export function tokenizerConfigJson(maxTokens: number): unknown {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: SPECIAL_TOKENS.bos,
    eos_token: SPECIAL_TOKENS.eos,
    unk_token: SPECIAL_TOKENS.unk,
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: maxTokens,
  };
}
