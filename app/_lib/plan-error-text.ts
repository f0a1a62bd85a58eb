// Words a plan cell's error as one sentence naming the form field and what it expected.

import type { PlanModelSource } from '../../lib/notebook/model.ts';
import type { PlanErrorData } from '../../workers/plan-types.ts';

/** The form's own label for each plan-request field the capacity library names. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  contextTokens: 'context (tokens)',
  batch: 'batch (sequences)',
  gpus: 'count',
  weights: 'weights',
  kv: 'KV cache',
  kvTypeV: 'KV cache',
  device: 'device',
  devices: 'device',
  engine: 'engine',
  parallelism: 'parallelism',
  priceUsdPerGpuHour: 'price',
  pricePerGpuHourUsd: 'price',
};

/** What the cell calls its config: the dropped file's name, the hub model's, or the pasted one. */
function configName(model: PlanModelSource): string {
  if (model.kind === 'hub') return `the config.json of ${model.id.trim()}`;
  return model.kind === 'config' && model.fileName ? model.fileName : 'the pasted config.json';
}

function fieldLabel(field: string, model: PlanModelSource): string {
  if (field === '(config)') return configName(model);
  return FIELD_LABELS[field] ?? field;
}

/** `text` ending in a full stop (its first word may be a config key, so its case stays). */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** The message with its own leading field name (`config`, `contextTokens`) as the form says it. */
function leadWithLabel(error: PlanErrorData, field: string, label: string): string {
  const message = error.message.trim();
  const leads = field === '(config)' ? ['(config)', 'config'] : [field];
  for (const lead of leads) {
    if (message.startsWith(`${lead} `) || message.startsWith(`${lead}:`)) {
      return `${label}${message.slice(lead.length)}`;
    }
  }
  const parts = field.split(/,\s*/);
  const named =
    parts.every((part) => message.includes(part)) ||
    message.toLowerCase().includes(label.toLowerCase());
  return named ? message : `${label}: ${message}`;
}

/**
 * What to ask for while the model source is still empty (nothing pasted, no hub id typed), so
 * a fresh form shows a prompt rather than an error the user did not cause; null otherwise.
 */
export function planPrompt(model: PlanModelSource): string | null {
  if (model.kind === 'config' && model.text.trim() === '' && !model.fileName) {
    return 'Paste a Hugging Face config.json here, or drop the file on this box.';
  }
  if (model.kind === 'hub' && model.id.trim() === '') {
    return 'Type a Hugging Face model id (org/name), such as meta-llama/Llama-3.1-8B.';
  }
  return null;
}

/**
 * A plan error as the page shows it: one sentence that names the field once, in the form's own
 * words ("context (tokens)" for `contextTokens`, the file's name for the config), says what was
 * expected unless the message already does, and never repeats the field. An empty config gets
 * a prompt instead of the JSON parser's "Unexpected end of JSON input".
 */
export function planErrorText(error: PlanErrorData, model: PlanModelSource): string {
  const prompt = planPrompt(model);
  if (prompt !== null) return prompt;
  if (model.kind === 'config' && model.text.trim() === '' && error.field === '(config)') {
    const name = model.fileName ?? 'config.json';
    return `${name} is empty: drop or paste a Hugging Face config.json (a JSON object).`;
  }
  if (error.field === null) return sentence(error.message);

  const label = fieldLabel(error.field, model);
  const text = leadWithLabel(error, error.field, label);
  const expected = error.expected?.trim() ?? '';
  const withExpected =
    expected === '' || text.includes(expected) ? text : `${text} (expected ${expected})`;
  return sentence(withExpected);
}
