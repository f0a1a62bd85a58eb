// The plan-cell form: model, device and count, engine, quantization, sizes and price.
'use client';

import { useState, type ReactNode } from 'react';
import { PLAN_ENGINES, type PlanCell, type PlanInputs } from '../../lib/notebook/model.ts';
import { nameProblem } from '../../lib/notebook/names.ts';
import type { CatalogueData } from '../../workers/plan-types.ts';
import { formatBytes, formatTokens } from '../_lib/format.ts';
import {
  COUNT_BOUNDS,
  readContextTokens,
  readCount,
  readDeviceCount,
  readPrice,
  SINGLE_DEVICE_ENGINES,
  type FieldRead,
} from '../_lib/plan-fields.ts';
import { Select, TextField, type SelectOption } from './FormFields.tsx';
import { ModelPicker } from './ModelPicker.tsx';

const plain = (ids: readonly string[]): SelectOption[] => ids.map((id) => ({ id, label: id }));

/** The typed fields of the form, kept as typed until they read as a valid value. */
type TypedField = 'gpus' | 'contextTokens' | 'batch' | 'price';

/** What each typed field is called in the form, for the stale-result note. */
const TYPED_LABELS: Record<TypedField, string> = {
  gpus: 'count',
  contextTokens: 'context (tokens)',
  batch: 'batch (sequences)',
  price: 'price',
};

/** Engines offered for `gpus` devices: one-device engines are disabled, saying why. */
function engineOptions(gpus: number): SelectOption[] {
  return PLAN_ENGINES.map((engine) => {
    const single = SINGLE_DEVICE_ENGINES.includes(engine) && gpus > 1;
    return single
      ? { id: engine, label: `${engine} (one device only)`, disabled: true }
      : { id: engine, label: engine };
  });
}

function priceText(price: number | null): string {
  return price === null ? '' : String(price);
}

/**
 * What a typed field shows: the text as typed while it does not read (shown invalid) or reads
 * as the cell's value (`32k` for 32768), else the cell's own value. So a change from outside
 * (another tab, undo, an engine switch) replaces valid-looking text that the result did not use.
 */
function followedText(
  typedText: string | undefined,
  cellText: string,
  cellValue: number | null,
  read: (text: string) => FieldRead<number | null>,
): string {
  if (typedText === undefined) return cellText;
  const result = read(typedText);
  return !result.ok || result.value === cellValue ? typedText : cellText;
}

/**
 * The extra device types a plan is compared on: chips to remove, a list to add from (less the
 * `main` device). Chips are labelled from every device, so one equal to the main device (from
 * a link or another tab) still shows its name.
 */
function CompareDevices({
  chosen,
  devices,
  main,
  onChange,
}: {
  chosen: string[];
  devices: { id: string; label: string }[];
  main: string;
  onChange: (ids: string[]) => void;
}) {
  const label = (id: string) => devices.find((d) => d.id === id)?.label ?? id;
  return (
    <div className="field wide">
      <span>compare with devices</span>
      <div className="chips">
        {chosen.map((id) => (
          <span key={id} className="chip" data-testid="compare-chip">
            {label(id)}{' '}
            <button
              type="button"
              aria-label={`stop comparing ${label(id)}`}
              onClick={() => onChange(chosen.filter((other) => other !== id))}
            >
              ✕
            </button>
          </span>
        ))}
        <select
          value=""
          data-testid="plan-compare"
          aria-label="add a device to compare"
          onChange={(event) => {
            if (event.target.value) onChange([...chosen, event.target.value]);
          }}
        >
          <option value="">+ add a device…</option>
          {devices
            .filter((d) => d.id !== main && !chosen.includes(d.id))
            .map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
        </select>
      </div>
    </div>
  );
}

/**
 * Edits a plan cell's name and inputs; every valid change goes straight to `onChange`. A typed
 * number that does not read (`abc`, `-5`, `0`, `1e400`) shows its problem beside the field and
 * leaves the cell's inputs as they were, and `children` (the last result) is marked out of date
 * until the field reads again.
 */
export function PlanForm({
  cell,
  catalogue,
  onChange,
  children,
}: {
  cell: PlanCell;
  catalogue: CatalogueData;
  onChange: (cell: PlanCell) => void;
  children?: ReactNode;
}) {
  const inputs = cell.inputs;
  const update = (patch: Partial<PlanInputs>) =>
    onChange({ ...cell, inputs: { ...inputs, ...patch } });
  const devices = catalogue.devices.map((d) => ({
    id: d.id,
    label: `${d.label} (${formatBytes(d.memoryBytes, { digits: 1 })})`,
  }));
  const [nameTyped, setNameTyped] = useState(cell.name);
  const nameText = nameProblem(nameTyped) === null ? cell.name : nameTyped;
  const nameRefused = nameProblem(nameText);
  const [typed, setTyped] = useState<Partial<Record<TypedField, string>>>({});

  const texts: Record<TypedField, string> = {
    gpus: followedText(typed.gpus, String(inputs.gpus), inputs.gpus, (t) =>
      readDeviceCount(t, inputs.engine),
    ),
    contextTokens: followedText(
      typed.contextTokens,
      String(inputs.contextTokens),
      inputs.contextTokens,
      readContextTokens,
    ),
    batch: followedText(typed.batch, String(inputs.batch), inputs.batch, (t) =>
      readCount(t, COUNT_BOUNDS.batch),
    ),
    price: followedText(
      typed.price,
      priceText(inputs.priceUsdPerGpuHour),
      inputs.priceUsdPerGpuHour,
      readPrice,
    ),
  };
  const reads: Record<TypedField, FieldRead<number | null>> = {
    gpus: readDeviceCount(texts.gpus, inputs.engine),
    contextTokens: readContextTokens(texts.contextTokens),
    batch: readCount(texts.batch, COUNT_BOUNDS.batch),
    price: readPrice(texts.price),
  };
  const problem = (field: TypedField) => {
    const read = reads[field];
    return read.ok ? null : read.problem;
  };
  const invalid = (Object.keys(reads) as TypedField[]).filter((field) => !reads[field].ok);

  const onTyped = (field: TypedField, text: string, read: (text: string) => FieldRead<unknown>) => {
    setTyped({ ...typed, [field]: text });
    const result = read(text);
    if (!result.ok) return;
    if (field === 'price') update({ priceUsdPerGpuHour: result.value as number | null });
    else update({ [field]: result.value as number });
  };

  return (
    <>
      <form className="plan-form" onSubmit={(event) => event.preventDefault()}>
        <label className="field name">
          <span>name</span>
          <input
            value={nameText}
            data-testid="plan-name"
            aria-invalid={nameRefused !== null}
            onChange={(event) => {
              setNameTyped(event.target.value);
              if (nameProblem(event.target.value) === null)
                onChange({ ...cell, name: event.target.value });
            }}
          />
          {nameRefused === null ? null : (
            <small className="invalid" data-testid="plan-name-problem">
              {nameRefused}: use letters, digits, _ or $ (not first a digit), not a JavaScript
              reserved word or built-in, nor hw or display
            </small>
          )}
        </label>
        <ModelPicker inputs={inputs} catalogue={catalogue} update={update} />
        <div className="row">
          <Select
            label="device"
            value={inputs.device}
            options={devices}
            testId="plan-device"
            onChange={(device) => update({ device })}
          />
          <TextField
            label="count"
            text={texts.gpus}
            problem={problem('gpus')}
            testId="plan-gpus"
            inputMode="numeric"
            onText={(text) => onTyped('gpus', text, (t) => readDeviceCount(t, inputs.engine))}
          />
          <Select
            label="parallelism"
            value={inputs.parallelism}
            options={plain(['tensor', 'pipeline'])}
            testId="plan-parallelism"
            disabled={inputs.gpus === 1}
            title={
              inputs.gpus === 1 ? 'splits a model over a count above 1' : 'how the model is split'
            }
            onChange={(value) =>
              update({ parallelism: value === 'pipeline' ? 'pipeline' : 'tensor' })
            }
          />
          <Select
            label="engine"
            value={inputs.engine}
            options={engineOptions(inputs.gpus)}
            testId="plan-engine"
            onChange={(value) =>
              update({ engine: PLAN_ENGINES.find((e) => e === value) ?? 'llama.cpp' })
            }
          />
        </div>
        <div className="row">
          <Select
            label="weights"
            value={inputs.weights}
            options={plain(catalogue.weightSchemes)}
            testId="plan-weights"
            onChange={(weights) => update({ weights })}
          />
          <Select
            label="KV cache"
            value={inputs.kv}
            options={plain(catalogue.kvDtypes)}
            testId="plan-kv"
            onChange={(kv) => update({ kv })}
          />
          <TextField
            label="context (tokens)"
            text={texts.contextTokens}
            problem={problem('contextTokens')}
            testId="plan-context"
            inputMode="numeric"
            onText={(text) => onTyped('contextTokens', text, readContextTokens)}
          />
          <TextField
            label="batch (sequences)"
            text={texts.batch}
            problem={problem('batch')}
            testId="plan-batch"
            inputMode="numeric"
            onText={(text) => onTyped('batch', text, (t) => readCount(t, COUNT_BOUNDS.batch))}
          />
        </div>
        <div className="row">
          <TextField
            label="price per device (US$ per device-hour, optional)"
            text={texts.price}
            problem={problem('price')}
            testId="plan-price"
            inputMode="decimal"
            placeholder="such as 2.50"
            onText={(text) => onTyped('price', text, readPrice)}
          />
          <CompareDevices
            chosen={inputs.compareDevices}
            devices={devices}
            main={inputs.device}
            onChange={(compareDevices) => update({ compareDevices })}
          />
        </div>
      </form>
      <StaleResult invalid={invalid} inputs={inputs}>
        {children}
      </StaleResult>
    </>
  );
}

/** The value of `field` the last result used, in words for the out-of-date note. */
function usedValue(field: TypedField, inputs: PlanInputs): string {
  if (field === 'contextTokens') return `${formatTokens(inputs.contextTokens)} tokens`;
  if (field === 'price') {
    const price = inputs.priceUsdPerGpuHour;
    return price === null ? '(none)' : `US$ ${String(price)} per device-hour`;
  }
  return String(inputs[field]);
}

/** The last result, marked out of date while a typed field does not read. */
function StaleResult({
  invalid,
  inputs,
  children,
}: {
  invalid: TypedField[];
  inputs: PlanInputs;
  children: ReactNode;
}) {
  if (!children) return null;
  if (invalid.length === 0) return <>{children}</>;
  const fields = invalid.map((field) => TYPED_LABELS[field]).join(' and ');
  const used = invalid.map((field) => `${TYPED_LABELS[field]} ${usedValue(field, inputs)}`);
  return (
    <>
      <p className="cell-note" role="status" data-testid="plan-stale">
        Out of date: {fields} {invalid.length === 1 ? 'is' : 'are'} not valid, so the result below
        is still the one for the last valid {used.join(' and ')}. Fix the field to plan again.
      </p>
      <div data-testid="plan-stale-result" aria-hidden="true" style={{ opacity: 0.35 }}>
        {children}
      </div>
    </>
  );
}
