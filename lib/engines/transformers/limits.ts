// Checks a generation request (new tokens, prompt length) against the model before it runs.

/** The most new tokens one run may ask for, whatever the model's context. */
export const MAX_NEW_TOKENS_LIMIT = 8192;

/** Config keys that name a causal LM's longest context, in the order they are trusted. */
const CONTEXT_KEYS = ['max_position_embeddings', 'n_positions', 'n_ctx'] as const;

/** A request field and what is wrong with it, in words that name the field. */
export interface FieldProblem {
  field: 'new tokens' | 'prompt' | 'hub base URL' | 'model id' | 'model folder' | 'weights';
  message: string;
}

/** A parsed "new tokens" field: the count, or the problem with the typed text. */
export type NewTokensField = { ok: true; tokens: number } | { ok: false; problem: FieldProblem };

const groupDigits = (value: number) => value.toLocaleString('en-US');

/**
 * Reads the "new tokens" field as typed: a whole number from 1 to MAX_NEW_TOKENS_LIMIT. Kept as
 * text by the form so that clearing the field and typing a number gives that number, not a
 * number with a leftover digit in front.
 */
export function parseNewTokens(text: string): NewTokensField {
  const trimmed = text.trim();
  const expected = `a whole number from 1 to ${groupDigits(MAX_NEW_TOKENS_LIMIT)}`;
  const fail = (got: string): NewTokensField => ({
    ok: false,
    problem: { field: 'new tokens', message: `new tokens: expected ${expected}, got ${got}` },
  });
  if (trimmed === '') return fail('an empty field');
  if (!/^[+-]?\d+$/.test(trimmed)) return fail(`"${trimmed}"`);
  const tokens = Number(trimmed);
  if (tokens < 1 || tokens > MAX_NEW_TOKENS_LIMIT) return fail(groupDigits(tokens));
  return { ok: true, tokens };
}

/**
 * The longest context (tokens) a model's config declares, or null when it names none. Positions
 * past it have no trained rotary or learned embedding, and engines fail or produce garbage.
 */
export function modelContextTokens(config: unknown): { tokens: number; key: string } | null {
  if (typeof config !== 'object' || config === null) return null;
  const record = config as Record<string, unknown>;
  for (const key of CONTEXT_KEYS) {
    const value = record[key];
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
      return { tokens: value, key };
    }
  }
  return null;
}

/** What a request holds, to be checked against the model's context. */
export interface RequestSize {
  promptTokens: number;
  maxNewTokens: number;
  /** The model's context and the config key it came from, or null when unknown. */
  context: { tokens: number; key: string } | null;
}

/**
 * Why a request cannot run, or null when it fits: the prompt must encode to at least one token,
 * and prompt plus new tokens must fit in the model's context (transformers.js would otherwise
 * run ONNX Runtime past the positions the model knows, or out of memory on the way).
 */
export function requestProblem(request: RequestSize): FieldProblem | null {
  const { promptTokens, maxNewTokens, context } = request;
  if (promptTokens < 1) {
    return { field: 'prompt', message: 'prompt: it encodes to no tokens; type some text first' };
  }

  const parsed = parseNewTokens(String(maxNewTokens));
  if (!parsed.ok) return parsed.problem;
  if (!context) return null;

  const where = `the model's context of ${groupDigits(context.tokens)} tokens (${context.key})`;
  if (promptTokens >= context.tokens) {
    return {
      field: 'prompt',
      message:
        `prompt: ${groupDigits(promptTokens)} tokens do not fit ${where} with room for a new ` +
        `token; shorten it to at most ${groupDigits(context.tokens - 1)} tokens`,
    };
  }
  if (promptTokens + maxNewTokens > context.tokens) {
    return {
      field: 'new tokens',
      message:
        `new tokens: ${groupDigits(promptTokens)} prompt tokens + ${groupDigits(maxNewTokens)} ` +
        `new tokens = ${groupDigits(promptTokens + maxNewTokens)}, more than ${where}; at ` +
        `most ${groupDigits(context.tokens - promptTokens)} new tokens fit after this prompt`,
    };
  }
  return null;
}
