// Which parser handles each Hugging Face `model_type`: one line per family.

import type { FamilyParser } from './family.ts';
import { parseDeepseekV2, parseDeepseekV3, parseKimiK2 } from './families/deepseek.ts';
import { parseFalcon } from './families/falcon.ts';
import { parseGemma, parseGemma2, parseGemma3, parseGemma3Text } from './families/gemma.ts';
import { parseGpt2 } from './families/gpt2.ts';
import { parseGptOss } from './families/gpt-oss.ts';
import { parseGranite, parseGraniteMoe } from './families/granite.ts';
import { parseJamba } from './families/jamba.ts';
import { parseKimiLinear } from './families/kimi_linear.ts';
import { parseLlama } from './families/llama.ts';
import { parseMistral } from './families/mistral.ts';
import { parseMamba, parseMamba2 } from './families/mamba.ts';
import { parseMixtral } from './families/mixtral.ts';
import { parseNemotronH } from './families/nemotron_h.ts';
import { parsePhi, parsePhi3 } from './families/phi.ts';
import { parseQwen2, parseQwen2Moe } from './families/qwen2.ts';
import { parseQwen3, parseQwen3Moe } from './families/qwen3.ts';
import { parseQwen3Next } from './families/qwen3_next.ts';
import { parseQwen3Vl } from './families/qwen3-vl.ts';
import { parseZamba } from './families/zamba.ts';

/** Parsers by `model_type`; parseHfConfig falls back to a generic Llama-like decoder. */
export const FAMILY_PARSERS: Readonly<Record<string, FamilyParser>> = {
  llama: parseLlama,
  mistral: parseMistral,
  mixtral: parseMixtral,
  qwen2: parseQwen2,
  qwen2_moe: parseQwen2Moe,
  qwen3: parseQwen3,
  qwen3_moe: parseQwen3Moe,
  qwen3_vl: parseQwen3Vl,
  qwen3_vl_moe: parseQwen3Vl,
  granite: parseGranite,
  granitemoe: parseGraniteMoe,
  granitemoeshared: parseGraniteMoe,
  phi: parsePhi,
  phi3: parsePhi3,
  falcon: parseFalcon,
  RefinedWeb: parseFalcon,
  RefinedWebModel: parseFalcon,
  gpt2: parseGpt2,
  gemma: parseGemma,
  gemma2: parseGemma2,
  gemma3: parseGemma3,
  gemma3_text: parseGemma3Text,
  gpt_oss: parseGptOss,
  deepseek_v2: parseDeepseekV2,
  deepseek_v3: parseDeepseekV3,
  kimi_k2: parseKimiK2,
  mamba: parseMamba,
  mamba2: parseMamba2,
  jamba: parseJamba,
  nemotron_h: parseNemotronH,
  qwen3_next: parseQwen3Next,
  kimi_linear: parseKimiLinear,
  zamba: parseZamba,
};

/** The parser registered for `modelType`, or null. */
export function familyParser(modelType: string): FamilyParser | null {
  return Object.hasOwn(FAMILY_PARSERS, modelType) ? (FAMILY_PARSERS[modelType] ?? null) : null;
}
