// Checks a model source before anything is fetched; no engine import, so pages can use it.

import type { FieldProblem } from './limits.ts';
import type { ModelDtype, ModelSource } from './types.ts';

/** The ONNX file transformers.js loads for a dtype (its `onnx/model[_fp16].onnx` naming). */
export function onnxFileName(dtype: ModelDtype): string {
  return dtype === 'fp16' ? 'onnx/model_fp16.onnx' : 'onnx/model.onnx';
}

/** A hub model id: `owner/name` (or a bare `name`) of letters, digits, `_`, `-` and `.`. */
const HUB_ID = /^[\w.-]+(\/[\w.-]+)?$/;

/**
 * A hub base URL with exactly one trailing slash, or a problem naming the field: only absolute
 * http(s) URLs are accepted (anything else would be fetched relative to the app's own pages).
 */
export function normalBaseUrl(
  text: string,
): { ok: true; url: string } | { ok: false; problem: FieldProblem } {
  const trimmed = text.trim();
  let url: URL | null;
  try {
    url = new URL(trimmed);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    const got = trimmed === '' ? 'an empty field' : `"${trimmed}"`;
    const message = `hub base URL: expected an http:// or https:// address such as https://huggingface.co, got ${got}`;
    return { ok: false, problem: { field: 'hub base URL', message } };
  }
  return { ok: true, url: `${trimmed.replace(/\/+$/, '')}/` };
}

/** What is wrong with a source before anything is fetched, or null when it can be tried. */
export function sourceProblem(source: ModelSource, dtype: ModelDtype): FieldProblem | null {
  if (source.kind === 'hub') {
    const base = normalBaseUrl(source.baseUrl);
    if (!base.ok) return base.problem;
    const id = source.modelId.trim();
    if (!HUB_ID.test(id) || id.split('/').some((part) => part === '.' || part === '..')) {
      return {
        field: 'model id',
        message:
          'model id: expected owner/name of letters, digits, "_", "-" and "." (such as ' +
          `onnx-community/Qwen2.5-0.5B-Instruct), got ${id === '' ? 'an empty field' : `"${id}"`}`,
      };
    }
  }
  if (source.kind === 'files') {
    const wanted = onnxFileName(dtype);
    if (!source.files.has(wanted)) {
      const onnx = [...source.files.keys()].filter((path) => path.endsWith('.onnx'));
      return {
        field: dtype === 'fp16' ? 'weights' : 'model folder',
        message:
          `${dtype === 'fp16' ? 'weights' : 'model folder'}: "${source.label}" has no ` +
          `${wanted}${onnx.length > 0 ? ` (its ONNX files: ${onnx.join(', ')})` : ''}`,
      };
    }
  }
  return null;
}
