// Upper bounds on model sizes and plan requests: absurd input fails fast, naming the field.
//
// Every count here becomes an array, a loop or a product somewhere (layers make per-layer
// arrays, experts multiply tensor bytes), so a typo such as 1e9 layers would otherwise run for
// seconds and end in an exhausted stack or heap. Each bound keeps wide headroom over the largest
// published model so that no real model is ever refused.

/**
 * Decoder layers. The deepest published models have about 200 (Llama-3.1-405B 126,
 * Nemotron-H-56B 118); llama.cpp refuses more than 512 (`LLAMA_MAX_LAYERS`, llama-hparams.h).
 * 1,024 is five times the deepest model and twice what llama.cpp loads.
 */
export const MAX_LAYERS = 1024;

/**
 * Routed experts per layer. The most published is 512 (Qwen3-Next); llama.cpp allows 1,024
 * (`LLAMA_MAX_EXPERTS`, llama-hparams.h). 4,096 leaves eight times the largest.
 */
export const MAX_EXPERTS = 4096;

/** Attention or SSM heads per layer. The most published is 128 (Llama-3.1-405B, DeepSeek-V3). */
export const MAX_HEADS = 2048;

/** Vocabulary. The largest published is about 262k (Gemma 3); 2^22 is sixteen times that. */
export const MAX_VOCAB = 4_194_304;

/** Hidden width. The widest published are about 20k (MT-NLG 530B 20,480); 2^18 is 12 times. */
export const MAX_HIDDEN = 262_144;

/** FFN width. The widest published are about 80k (MT-NLG 530B 81,920); 2^20 is 12 times. */
export const MAX_FFN = 1_048_576;

/** Width of one attention head. Published heads are at most 512 wide; 8,192 is 16 times. */
export const MAX_HEAD_DIM = 8192;

/**
 * Largest values a plan request may name, so that the CLI and the app refuse the same things
 * beside their own fields: devices in a split; context tokens per sequence (where the
 * largest-context search stops); sequences (where the concurrency search stops).
 */
export const PLAN_REQUEST_LIMITS = {
  gpus: 4096,
  contextTokens: 1 << 24,
  batch: 1 << 20,
} as const;

/**
 * Largest price per device-hour the CLI and the app accept, USD: far above any rented device,
 * low enough that a slip of the keyboard ($2e26) is refused beside the field. The cost
 * functions themselves take any finite price >= 0.
 */
export const MAX_PRICE_USD_PER_DEVICE_HOUR = 1_000_000;
