// The plan form's model: a catalogue entry, a pasted or dropped config.json, or a hub id.
'use client';

import { useId, useState, type DragEvent } from 'react';
import {
  NOTEBOOK_LIMITS,
  type PlanInputs,
  type PlanModelSource,
} from '../../lib/notebook/model.ts';
import { DEFAULT_HUB_BASE } from '../../lib/sources/hub-base.ts';
import type { CatalogueData } from '../../workers/plan-types.ts';
import { configFileProblemBeforeRead, configTextProblem } from '../_lib/config-file.ts';
import { hubBaseSetting, setHubBaseSetting, useHubBase } from '../_lib/settings.ts';
import { Select } from './FormFields.tsx';

type SourceKind = PlanModelSource['kind'];
type HubSource = Extract<PlanModelSource, { kind: 'hub' }>;
type ConfigSource = Extract<PlanModelSource, { kind: 'config' }>;

/** The catalogue id a stored model name (an id or an alias, any case) stands for. */
function catalogueId(catalogue: CatalogueData, name: string): string {
  const key = name.toLowerCase();
  const found = catalogue.models.find(
    (m) => m.id.toLowerCase() === key || m.aliases.some((a) => a.toLowerCase() === key),
  );
  return found?.id ?? name;
}

/**
 * The app-wide hub base URL: typed text stays as typed, the setting follows every edit. Empty
 * means the default hub, which the label and the placeholder name, so an empty field never
 * hides where a plan fetches from.
 */
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
      <span>hub base URL (this browser, every notebook; empty: {DEFAULT_HUB_BASE})</span>
      <input
        data-testid="plan-hub-base"
        spellCheck={false}
        placeholder={DEFAULT_HUB_BASE}
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
function HubFields({ model, onModel }: { model: HubSource; onModel: (m: HubSource) => void }) {
  const withRevision = (id: string, revision: string): HubSource =>
    revision === '' ? { kind: 'hub', id } : { kind: 'hub', id, revision };
  return (
    <div className="row">
      <label className="field">
        <span>Hugging Face id</span>
        <input
          data-testid="plan-hub-id"
          spellCheck={false}
          placeholder="org/name, such as meta-llama/Llama-3.1-8B"
          value={model.id}
          onChange={(event) => onModel(withRevision(event.target.value, model.revision ?? ''))}
        />
      </label>
      <label className="field">
        <span>revision (optional)</span>
        <input
          data-testid="plan-hub-revision"
          spellCheck={false}
          placeholder="main"
          value={model.revision ?? ''}
          onChange={(event) => onModel(withRevision(model.id, event.target.value))}
        />
      </label>
      <HubBaseField />
    </div>
  );
}

/**
 * The file's text as the config, unless it cannot be one: then the box keeps what it had and
 * `onProblem` says why, naming the file.
 */
async function readConfigFile(
  file: File,
  onModel: (model: ConfigSource) => void,
  onProblem: (problem: string | null) => void,
): Promise<void> {
  const early = configFileProblemBeforeRead(file.name, file.size);
  if (early !== null) return onProblem(early);
  let text: string;
  try {
    text = await file.text();
  } catch {
    return onProblem(`${file.name} could not be read.`);
  }
  const problem = configTextProblem(file.name, text);
  onProblem(problem);
  if (problem === null) onModel({ kind: 'config', text, fileName: file.name });
}

/** The config.json box: paste into it, drop a file on it, or pick one. */
function ConfigBox({
  model,
  onModel,
}: {
  model: ConfigSource;
  onModel: (model: ConfigSource) => void;
}) {
  const [drag, setDrag] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const read = (file: File | undefined) => {
    if (file) void readConfigFile(file, onModel, setProblem);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDrag(false);
    read(event.dataTransfer.files[0]);
  };
  const max = NOTEBOOK_LIMITS.maxSourceChars;
  return (
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
        onChange={(event) => {
          const text = event.target.value;
          if (text.length > max) {
            setProblem(configTextProblem('the pasted config.json', text));
            return;
          }
          setProblem(null);
          onModel({ kind: 'config', text, fileName: model.fileName });
        }}
      />
      <input
        type="file"
        accept=".json,application/json"
        aria-label="config.json file"
        onChange={(event) => {
          read(event.target.files?.[0]);
          event.target.value = '';
        }}
      />
      {model.fileName ? <small>from {model.fileName}</small> : null}
      {problem === null ? null : (
        <small className="invalid" role="alert" data-testid="plan-config-problem">
          {problem}
        </small>
      )}
    </div>
  );
}

function firstModel(kind: SourceKind, catalogue: CatalogueData): PlanModelSource {
  if (kind === 'catalogue') return { kind, id: catalogue.models[0]?.id ?? '' };
  if (kind === 'config') return { kind, text: '', fileName: null };
  return { kind, id: '' };
}

/**
 * The model source radios and the chosen source's fields. Switching source keeps what the
 * other sources held (a pasted config, a hub id, a catalogue choice) for this session, so
 * switching back restores it.
 */
export function ModelPicker({
  inputs,
  catalogue,
  update,
}: {
  inputs: PlanInputs;
  catalogue: CatalogueData;
  update: (patch: Partial<PlanInputs>) => void;
}) {
  const model = inputs.model;
  const [kept, setKept] = useState<Partial<Record<SourceKind, PlanModelSource>>>({});
  const radioGroup = useId();
  const onModel = (next: PlanModelSource) => update({ model: next });
  const switchTo = (kind: SourceKind) => {
    if (kind === model.kind) return;
    setKept({ ...kept, [model.kind]: model });
    onModel(kept[kind] ?? firstModel(kind, catalogue));
  };
  const radio = (kind: SourceKind, label: string, testId: string) => (
    <label>
      <input
        type="radio"
        name={radioGroup}
        value={kind}
        data-testid={testId}
        checked={model.kind === kind}
        onChange={() => switchTo(kind)}
      />{' '}
      {label}
    </label>
  );
  return (
    <fieldset className="model-picker">
      <legend>Model</legend>
      {radio('catalogue', 'from the catalogue', 'model-catalogue-radio')}
      {radio('config', 'config.json (paste or drop a file)', 'model-config-radio')}
      {radio('hub', 'Hugging Face id', 'model-hub-radio')}
      {model.kind === 'hub' ? <HubFields model={model} onModel={onModel} /> : null}
      {model.kind === 'catalogue' ? (
        <Select
          label="catalogue model"
          value={catalogueId(catalogue, model.id)}
          options={catalogue.models}
          testId="plan-model"
          onChange={(id) => onModel({ kind: 'catalogue', id })}
        />
      ) : null}
      {model.kind === 'config' ? <ConfigBox model={model} onModel={onModel} /> : null}
    </fieldset>
  );
}
