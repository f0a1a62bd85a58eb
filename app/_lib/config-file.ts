// Checks a config.json file dropped or picked in a plan cell before its text replaces the box's.

import { NOTEBOOK_LIMITS } from '../../lib/notebook/model.ts';

/** Most UTF-8 bytes a file of `NOTEBOOK_LIMITS.maxSourceChars` characters can take. */
const MAX_CONFIG_FILE_BYTES = 4 * NOTEBOOK_LIMITS.maxSourceChars;

const WEIGHT_FILE = /\.(gguf|safetensors|bin|pt|pth|onnx)$/i;

/**
 * Why a file cannot be a config.json before reading it (a weights file, or too big to keep in
 * a notebook), or null when its text is worth reading.
 */
export function configFileProblemBeforeRead(name: string, sizeBytes: number): string | null {
  if (WEIGHT_FILE.test(name)) {
    return (
      `${name} is a weights file, not a config.json: drop the model's config.json here ` +
      '(the hwledger CLI reads GGUF and safetensors headers).'
    );
  }
  if (sizeBytes > MAX_CONFIG_FILE_BYTES) return tooLong(name);
  return null;
}

function tooLong(name: string): string {
  const max = NOTEBOOK_LIMITS.maxSourceChars.toLocaleString('en-US');
  return `${name} is too large for a config.json: a notebook keeps at most ${max} characters.`;
}

/**
 * Why the text of `name` is not a config.json (empty, binary, too long, or not a JSON object),
 * or null when it may be one; the parser then names any field it finds wrong.
 */
export function configTextProblem(name: string, text: string): string | null {
  if (text.trim() === '') return `${name} is empty: a config.json holds a JSON object.`;
  if (text.includes('\u0000')) return `${name} is not a text file: a config.json is JSON text.`;
  if (text.length > NOTEBOOK_LIMITS.maxSourceChars) return tooLong(name);
  if (!text.trimStart().startsWith('{')) {
    return `${name} is not JSON: a config.json is one JSON object, starting with {.`;
  }
  return null;
}
