// Runs a small model in the browser (Web Worker) and shows what it used next to the plan.
'use client';

import * as Comlink from 'comlink';
import { useEffect, useRef, useState } from 'react';
import type {
  BackendChoice,
  LoadProgress,
  MeasuredFigure,
  ModelDtype,
  ModelSource,
  RunReport,
} from '../../lib/engines/transformers/types.ts';
import type { InferenceWorkerApi, LoadSummary } from '../../workers/inference.worker.ts';
import { formatBytes, formatInt, formatRate } from '../_lib/format.ts';

/** The model the app builds for itself (scripts/make-demo-model.ts). */
const DEMO_SOURCE: ModelSource = {
  kind: 'app',
  baseUrl: '/generated/models/',
  modelId: 'hwledger-demo-tiny',
};

/** Differences above this share of the prediction are highlighted. */
const HIGHLIGHT_SHARE = 0.1;

/** How a row far from the plan stands out (the shared stylesheet has no class for it). */
const OFF_PLAN_STYLE = { background: '#fdecea', color: '#b42318' } as const;

type Choice = 'demo' | 'hub' | 'folder';

interface DirectoryHandleLike {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirectoryHandleLike | FileHandleLike>;
}

interface FileHandleLike {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}

async function readDirectory(
  handle: DirectoryHandleLike,
  prefix = '',
  files = new Map<string, Blob>(),
): Promise<Map<string, Blob>> {
  for await (const entry of handle.values()) {
    if (entry.kind === 'file') files.set(`${prefix}${entry.name}`, await entry.getFile());
    else await readDirectory(entry, `${prefix}${entry.name}/`, files);
  }
  return files;
}

function filesFromInput(list: FileList): { label: string; files: Map<string, Blob> } {
  const files = new Map<string, Blob>();
  let label = 'folder';
  for (const file of Array.from(list)) {
    const path = file.webkitRelativePath || file.name;
    const slash = path.indexOf('/');
    if (slash > 0) label = path.slice(0, slash);
    files.set(slash > 0 ? path.slice(slash + 1) : path, file);
  }
  return { label, files };
}

/**
 * The worker, started on first use. `reset` ends it: transformers.js chains every session
 * creation and run on one promise, so after a failure a fresh worker is the only clean state.
 */
function useInferenceWorker() {
  const ref = useRef<{ worker: Worker; api: Comlink.Remote<InferenceWorkerApi> } | null>(null);
  const reset = () => {
    ref.current?.worker.terminate();
    ref.current = null;
  };
  useEffect(() => reset, []);
  const get = () => {
    if (!ref.current) {
      const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), {
        type: 'module',
        name: 'hwledger-inference',
      });
      ref.current = { worker, api: Comlink.wrap<InferenceWorkerApi>(worker) };
    }
    return ref.current.api;
  };
  return { get, reset };
}

function FigureRow({ entry }: { entry: MeasuredFigure }) {
  const off = entry.relativeDifference !== null && entry.relativeDifference > HIGHLIGHT_SHARE;
  const share =
    entry.relativeDifference === null ? '' : ` (${(entry.relativeDifference * 100).toFixed(1)}%)`;
  return (
    <tr
      data-figure={entry.name}
      data-off-plan={off ? 'true' : 'false'}
      style={off ? OFF_PLAN_STYLE : undefined}
    >
      <td>{entry.name}</td>
      <td className="num" data-raw={entry.measured}>
        {formatBytes(entry.measured)}
      </td>
      <td className="num" data-raw={entry.predicted ?? ''}>
        {formatBytes(entry.predicted)}
      </td>
      <td className="num" data-raw={entry.differenceBytes ?? ''}>
        {entry.differenceBytes === null ? (
          '—'
        ) : off ? (
          <strong>{`${formatBytes(entry.differenceBytes)}${share}`}</strong>
        ) : (
          `${formatBytes(entry.differenceBytes)}${share}`
        )}
      </td>
      <td className="source">{entry.method}</td>
    </tr>
  );
}

function RunView({ report }: { report: RunReport }) {
  const t = report.timings;
  return (
    <div className="inference-report" data-testid="inference-report">
      <div className="stats">
        <div className="stat">
          <span className="label">load</span>
          <span className="value" data-testid="inference-load-ms">
            {formatInt(t.loadMs)} ms
          </span>
        </div>
        <div className="stat">
          <span className="label">prefill</span>
          <span className="value" data-testid="inference-prefill-rate">
            {formatRate(t.prefillTokensPerSecond)} tokens/s ({t.promptTokens} tokens)
          </span>
        </div>
        <div className="stat">
          <span className="label">decode</span>
          <span
            className="value"
            data-testid="inference-decode-rate"
            data-raw={t.decodeTokensPerSecond ?? ''}
          >
            {formatRate(t.decodeTokensPerSecond)} tokens/s ({t.generatedTokens} tokens)
          </span>
        </div>
      </div>
      <table className="grid" data-testid="inference-memory">
        <caption>Memory: measured next to the plan (transformers.js profile)</caption>
        <thead>
          <tr>
            <th>part</th>
            <th>measured</th>
            <th>predicted</th>
            <th>difference</th>
            <th>how it was measured</th>
          </tr>
        </thead>
        <tbody>
          {report.memory.map((entry) => (
            <FigureRow key={entry.name} entry={entry} />
          ))}
        </tbody>
      </table>
      {report.notes.map((note) => (
        <p key={note} className="muted">
          {note}
        </p>
      ))}
    </div>
  );
}

/** Pick a model, load it with a progress bar, type a prompt, watch tokens and measurements. */
export function InferenceCell() {
  const worker = useInferenceWorker();
  const [choice, setChoice] = useState<Choice>('demo');
  const [hubId, setHubId] = useState('');
  const [hubBase, setHubBase] = useState('https://huggingface.co/');
  const [picked, setPicked] = useState<{ label: string; files: Map<string, Blob> } | null>(null);
  const [dtype, setDtype] = useState<ModelDtype>('fp32');
  const [forceWasm, setForceWasm] = useState(false);
  const [prompt, setPrompt] = useState('Hello, hwLedger');
  const [maxTokens, setMaxTokens] = useState(32);
  const [progress, setProgress] = useState<LoadProgress | null>(null);
  const [busy, setBusy] = useState<'loading' | 'running' | null>(null);
  const [loaded, setLoaded] = useState<LoadSummary | null>(null);
  const [backend, setBackend] = useState<BackendChoice | null>(null);
  const [streamed, setStreamed] = useState('');
  const [tokenIds, setTokenIds] = useState<number[]>([]);
  const [report, setReport] = useState<RunReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const runCount = useRef(0);

  const source = (): ModelSource | null => {
    if (choice === 'demo') return DEMO_SOURCE;
    if (choice === 'hub') {
      const base = hubBase.endsWith('/') ? hubBase : `${hubBase}/`;
      return hubId.trim() ? { kind: 'hub', baseUrl: base, modelId: hubId.trim() } : null;
    }
    return picked ? { kind: 'files', label: picked.label, files: picked.files } : null;
  };

  const pickFolder = async () => {
    const picker = (window as { showDirectoryPicker?: () => Promise<DirectoryHandleLike> })
      .showDirectoryPicker;
    if (!picker) return;
    try {
      const handle = await picker();
      setPicked({ label: handle.name, files: await readDirectory(handle) });
    } catch {
      setError('No folder was picked.');
    }
  };

  const load = async () => {
    const chosen = source();
    if (!chosen) {
      setError(choice === 'hub' ? 'Type a model id first.' : 'Pick a model folder first.');
      return;
    }
    setError(null);
    setReport(null);
    setLoaded(null);
    setProgress(null);
    setBusy('loading');
    const result = await worker.get().load(
      chosen,
      { dtype, forceWasm },
      Comlink.proxy((next: LoadProgress) => setProgress(next)),
    );
    setBusy(null);
    if (!result.ok) {
      worker.reset();
      setError(result.message);
      return;
    }
    setLoaded(result.value);
    setBackend(result.value.backend);
  };

  const run = async () => {
    if (!loaded) return;
    setError(null);
    setReport(null);
    setStreamed('');
    setTokenIds([]);
    setBusy('running');
    runCount.current += 1;
    const thisRun = runCount.current;
    const live = () => runCount.current === thisRun;
    const result = await worker.get().generate(
      prompt,
      maxTokens,
      Comlink.proxy((text: string, tokenId: number) => {
        if (!live()) return;
        setStreamed((previous) => previous + text);
        setTokenIds((previous) => [...previous, tokenId]);
      }),
    );
    runCount.current += 1;
    setBusy(null);
    if (!result.ok) {
      worker.reset();
      setLoaded(null);
      setError(`${result.message} The model was unloaded; load it again to continue.`);
      return;
    }
    setReport(result.value);
    setStreamed(result.value.text);
    setTokenIds(result.value.tokenIds);
  };

  const hasPicker = typeof window !== 'undefined' && 'showDirectoryPicker' in window;

  return (
    <section className="inference-cell" data-testid="inference-cell">
      <h2>Run a model in this browser</h2>
      <fieldset>
        <legend>Model</legend>
        <label>
          <input
            type="radio"
            name="inference-model"
            checked={choice === 'demo'}
            onChange={() => setChoice('demo')}
          />
          hwLedger demo model (tiny Llama, random weights)
        </label>
        <label>
          <input
            type="radio"
            name="inference-model"
            checked={choice === 'hub'}
            onChange={() => setChoice('hub')}
            data-testid="inference-choice-hub"
          />
          a hub model
        </label>
        {choice === 'hub' && (
          <div className="row">
            <input
              aria-label="model id"
              data-testid="inference-hub-id"
              placeholder="owner/name"
              value={hubId}
              onChange={(event) => setHubId(event.target.value)}
            />
            <input
              aria-label="hub base URL"
              data-testid="inference-hub-base"
              value={hubBase}
              onChange={(event) => setHubBase(event.target.value)}
            />
          </div>
        )}
        <label>
          <input
            type="radio"
            name="inference-model"
            checked={choice === 'folder'}
            onChange={() => setChoice('folder')}
          />
          a folder on this computer
        </label>
        {choice === 'folder' && (
          <div className="row">
            {hasPicker ? (
              <button type="button" onClick={() => void pickFolder()}>
                Pick a folder…
              </button>
            ) : (
              <input
                type="file"
                aria-label="model folder"
                {...{ webkitdirectory: '' }}
                multiple
                onChange={(event) =>
                  event.target.files && setPicked(filesFromInput(event.target.files))
                }
              />
            )}
            <span className="muted">
              {picked ? `${picked.label}: ${picked.files.size} files` : ''}
            </span>
          </div>
        )}
        {choice === 'demo' && (
          <p className="muted" data-testid="inference-random-note">
            The demo model has random weights: its text is noise. It is there to measure speed and
            memory against the plan.
          </p>
        )}
      </fieldset>
      <div className="row">
        <label>
          weights{' '}
          <select value={dtype} onChange={(event) => setDtype(event.target.value as ModelDtype)}>
            <option value="fp32">fp32</option>
            <option value="fp16">fp16</option>
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={forceWasm}
            onChange={(event) => setForceWasm(event.target.checked)}
          />
          WASM even where WebGPU works
        </label>
        <button type="button" onClick={() => void load()} disabled={busy !== null}>
          Load
        </button>
      </div>
      {busy === 'loading' && (
        <progress
          data-testid="inference-progress"
          max={1}
          value={progress?.fraction ?? 0}
          aria-label="download progress"
        />
      )}
      {progress && (
        <p className="muted" data-testid="inference-progress-text">
          {formatBytes(progress.loadedBytes)} of {formatBytes(progress.totalBytes)}
        </p>
      )}
      {backend && (
        <p data-testid="inference-backend" data-backend={backend.backend}>
          Backend: <strong>{backend.backend.toUpperCase()}</strong>, {backend.dtype} weights —{' '}
          {backend.reason}
        </p>
      )}
      {loaded && (
        <p className="muted" data-testid="inference-loaded">
          Loaded {loaded.modelName} in {formatInt(loaded.loadMs)} ms; weights{' '}
          {formatBytes(loaded.weightsBytes)}
          {loaded.predictedWeightsBytes !== null &&
            ` (plan: ${formatBytes(loaded.predictedWeightsBytes)})`}
        </p>
      )}
      <div className="row">
        <textarea
          aria-label="prompt"
          data-testid="inference-prompt"
          value={prompt}
          rows={3}
          onChange={(event) => setPrompt(event.target.value)}
        />
        <label>
          new tokens{' '}
          <input
            type="number"
            min={1}
            max={512}
            value={maxTokens}
            data-testid="inference-max-tokens"
            onChange={(event) => setMaxTokens(Math.max(1, Number(event.target.value) || 1))}
          />
        </label>
        <button
          type="button"
          data-testid="inference-run"
          onClick={() => void run()}
          disabled={!loaded || busy !== null}
        >
          Generate
        </button>
      </div>
      {error && (
        <div className="error-box" role="alert" data-testid="inference-error">
          {error}
        </div>
      )}
      <pre
        className="inference-output"
        data-testid="inference-output"
        data-tokens={JSON.stringify(tokenIds)}
        data-done={report ? 'true' : 'false'}
      >
        {streamed}
      </pre>
      {report && <RunView report={report} />}
    </section>
  );
}
