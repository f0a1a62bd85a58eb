// The plan-cell form: model (catalogue, config.json or hub id), device, quantization, sizes.
'use client';

import { useState, type DragEvent } from 'react';
import { PLAN_ENGINES, type PlanCell, type PlanInputs } from '../../lib/notebook/model.ts';
import { nameProblem } from '../../lib/notebook/names.ts';
import type { CatalogueData } from '../../workers/plan-types.ts';
import { formatGB } from '../_lib/format.ts';
import { hubBaseSetting, setHubBaseSetting, useHubBase } from '../_lib/settings.ts';

function IntField({
  label,
  value,
  onChange,
  testId,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  testId: string;
}) {
  const [text, setText] = useState(String(value));
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(String(value));
  }
  const valid =
    /^\d+$/.test(text.trim()) && Number(text) >= 1 && Number.isSafeInteger(Number(text));
  return (
    <label className="field">
      <span>{label}</span>
      <input
        inputMode="numeric"
        value={text}
        data-testid={testId}
        aria-invalid={!valid}
        onChange={(event) => {
          setText(event.target.value);
          const next = Number(event.target.value.trim());
          if (/^\d+$/.test(event.target.value.trim()) && next >= 1 && Number.isSafeInteger(next)) {
            setShown(next);
            onChange(next);
          }
        }}
      />
      {valid ? null : <small className="invalid">a whole number, at least 1</small>}
    </label>
  );
}

function Select({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: string;
  options: { id: string; label: string }[];
  onChange: (value: string) => void;
  testId: string;
}) {
  const known = options.some((option) => option.id === value);
  return (
    <label className="field">
      <span>{label}</span>
      <select value={value} data-testid={testId} onChange={(event) => onChange(event.target.value)}>
        {known ? null : <option value={value}>{value}</option>}
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The catalogue id a stored model name (an id or an alias, any case) stands for. */
function catalogueId(catalogue: CatalogueData, name: string): string {
  const key = name.toLowerCase();
  const found = catalogue.models.find(
    (m) => m.id.toLowerCase() === key || m.aliases.some((a) => a.toLowerCase() === key),
  );
  return found?.id ?? name;
}

const plain = (ids: readonly string[]) => ids.map((id) => ({ id, label: id }));

/** The app-wide hub base URL: typed text stays as typed, the setting follows every edit. */
function HubBaseField() {
  const hubBase = useHubBase();
  const [text, setText] = useState(hubBase);
  const [shown, setShown] = useState(hubBase);
  if (shown !== hubBase) {
    setShown(hubBase);
    setText(hubBase);
  }
  return (
    <label className="field">
      <span>hub base URL (this browser, every notebook)</span>
      <input
        data-testid="plan-hub-base"
        spellCheck={false}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setHubBaseSetting(event.target.value);
          setShown(hubBaseSetting());
        }}
      />
    </label>
  );
}

/** The hub id (as typed) and optional revision of a plan cell's model. */
function HubFields({
  model,
  update,
}: {
  model: Extract<PlanInputs['model'], { kind: 'hub' }>;
  update: (patch: Partial<PlanInputs>) => void;
}) {
  const withRevision = (id: string, revision: string) =>
    revision === '' ? { kind: 'hub' as const, id } : { kind: 'hub' as const, id, revision };
  return (
    <div className="row">
      <label className="field">
        <span>Hugging Face id</span>
        <input
          data-testid="plan-hub-id"
          spellCheck={false}
          placeholder="org/name, such as meta-llama/Llama-3.1-8B"
          value={model.id}
          onChange={(event) =>
            update({ model: withRevision(event.target.value, model.revision ?? '') })
          }
        />
      </label>
      <label className="field">
        <span>revision (optional)</span>
        <input
          data-testid="plan-hub-revision"
          spellCheck={false}
          placeholder="main"
          value={model.revision ?? ''}
          onChange={(event) => update({ model: withRevision(model.id, event.target.value) })}
        />
      </label>
      <HubBaseField />
    </div>
  );
}

function ModelPicker({
  inputs,
  catalogue,
  update,
}: {
  inputs: PlanInputs;
  catalogue: CatalogueData;
  update: (patch: Partial<PlanInputs>) => void;
}) {
  const [drag, setDrag] = useState(false);
  const model = inputs.model;
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDrag(false);
    const file = event.dataTransfer.files[0];
    if (!file) return;
    void file
      .text()
      .then((text) => update({ model: { kind: 'config', text, fileName: file.name } }));
  };
  return (
    <fieldset className="model-picker">
      <legend>Model</legend>
      <label>
        <input
          type="radio"
          checked={model.kind === 'catalogue'}
          onChange={() =>
            update({ model: { kind: 'catalogue', id: catalogue.models[0]?.id ?? '' } })
          }
        />{' '}
        from the catalogue
      </label>
      <label>
        <input
          type="radio"
          data-testid="model-config-radio"
          checked={model.kind === 'config'}
          onChange={() => update({ model: { kind: 'config', text: '', fileName: null } })}
        />{' '}
        config.json (paste or drop a file)
      </label>
      <label>
        <input
          type="radio"
          data-testid="model-hub-radio"
          checked={model.kind === 'hub'}
          onChange={() => update({ model: { kind: 'hub', id: '' } })}
        />{' '}
        Hugging Face id
      </label>
      {model.kind === 'hub' ? <HubFields model={model} update={update} /> : null}
      {model.kind === 'hub' ? null : model.kind === 'catalogue' ? (
        <Select
          label="catalogue model"
          value={catalogueId(catalogue, model.id)}
          options={catalogue.models}
          testId="plan-model"
          onChange={(id) => update({ model: { kind: 'catalogue', id } })}
        />
      ) : (
        <div
          className={drag ? 'drop drag' : 'drop'}
          onDragOver={(event) => {
            event.preventDefault();
            setDrag(true);
          }}
          onDragLeave={() => setDrag(false)}
          onDrop={onDrop}
        >
          <textarea
            data-testid="plan-config"
            spellCheck={false}
            rows={6}
            placeholder='Paste a Hugging Face config.json here, or drop the file on this box: {"model_type": "llama", ...}'
            value={model.text}
            onChange={(event) =>
              update({
                model: { kind: 'config', text: event.target.value, fileName: model.fileName },
              })
            }
          />
          <input
            type="file"
            accept=".json,application/json"
            aria-label="config.json file"
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file)
                void file
                  .text()
                  .then((text) => update({ model: { kind: 'config', text, fileName: file.name } }));
            }}
          />
          {model.fileName ? <small>from {model.fileName}</small> : null}
        </div>
      )}
    </fieldset>
  );
}

/** The extra device types a plan is compared on: chips to remove, a list to add from. */
function CompareDevices({
  chosen,
  devices,
  onChange,
}: {
  chosen: string[];
  devices: { id: string; label: string }[];
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
            .filter((d) => !chosen.includes(d.id))
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

/** Edits a plan cell's name and inputs; every change goes straight to `onChange`. */
export function PlanForm({
  cell,
  catalogue,
  onChange,
}: {
  cell: PlanCell;
  catalogue: CatalogueData;
  onChange: (cell: PlanCell) => void;
}) {
  const inputs = cell.inputs;
  const update = (patch: Partial<PlanInputs>) =>
    onChange({ ...cell, inputs: { ...inputs, ...patch } });
  const devices = catalogue.devices.map((d) => ({
    id: d.id,
    label: `${d.label} (${formatGB(d.memoryBytes)})`,
  }));
  const [nameText, setNameText] = useState(cell.name);
  const nameRefused = nameProblem(nameText);
  return (
    <form className="plan-form" onSubmit={(event) => event.preventDefault()}>
      <label className="field name">
        <span>name</span>
        <input
          value={nameText}
          data-testid="plan-name"
          aria-invalid={nameRefused !== null}
          onChange={(event) => {
            setNameText(event.target.value);
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
        <IntField
          label="count"
          value={inputs.gpus}
          testId="plan-gpus"
          onChange={(gpus) => update({ gpus })}
        />
        <Select
          label="parallelism"
          value={inputs.parallelism}
          options={plain(['tensor', 'pipeline'])}
          testId="plan-parallelism"
          onChange={(value) =>
            update({ parallelism: value === 'pipeline' ? 'pipeline' : 'tensor' })
          }
        />
        <Select
          label="engine"
          value={inputs.engine}
          options={plain(PLAN_ENGINES)}
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
        <IntField
          label="context (tokens)"
          value={inputs.contextTokens}
          testId="plan-context"
          onChange={(contextTokens) => update({ contextTokens })}
        />
        <IntField
          label="batch (sequences)"
          value={inputs.batch}
          testId="plan-batch"
          onChange={(batch) => update({ batch })}
        />
      </div>
      <div className="row">
        <label className="field">
          <span>price (US$ per GPU hour, optional)</span>
          <input
            inputMode="decimal"
            data-testid="plan-price"
            defaultValue={inputs.priceUsdPerGpuHour ?? ''}
            onChange={(event) => {
              const text = event.target.value.trim();
              const value = Number(text);
              if (text === '') update({ priceUsdPerGpuHour: null });
              else if (Number.isFinite(value) && value >= 0) update({ priceUsdPerGpuHour: value });
            }}
          />
        </label>
        <CompareDevices
          chosen={inputs.compareDevices}
          devices={devices}
          onChange={(compareDevices) => update({ compareDevices })}
        />
      </div>
    </form>
  );
}
