// Runs a small model in the browser (Web Worker) and shows what it used next to the plan.
'use client';

import * as Comlink from 'comlink';
import { useEffect, useRef, useState } from 'react';
import { chooseBrowserBackend } from '../../lib/engines/transformers/backend.ts';
import type { GpuLike } from '../../lib/engines/transformers/backend.ts';
import { parseNewTokens, requestProblem } from '../../lib/engines/transformers/limits.ts';
import type { FieldProblem } from '../../lib/engines/transformers/limits.ts';
import { onnxFileName, sourceProblem } from '../../lib/engines/transformers/source-checks.ts';
import type {
  BackendChoice,
  LoadProgress,
  MeasuredFigure,
  ModelDtype,
  ModelSource,
  RunReport,
} from '../../lib/engines/transformers/types.ts';
import type {
  InferenceWorkerApi,
  LoadSummary,
  PromptSize,
} from '../../workers/inference.worker.ts';
import { formatBytes, formatInt, formatRate } from '../_lib/format.ts';
import { hubBaseSetting, setHubBaseSetting, useHubBase } from '../_lib/settings.ts';

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

/** Generated text wraps at the cell's edge, long unbroken tokens included. */
const OUTPUT_STYLE = {
  whiteSpace: 'pre-wrap',
  overflowWrap: 'anywhere',
  maxWidth: '100%',
} as const;

type Choice = 'demo' | 'hub' | 'folder';

/** Files the user picked, by path relative to the folder, and the folder's name. */
interface PickedFolder {
  label: string;
  files: Map<string, Blob>;
}

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

function filesFromInput(list: FileList): PickedFolder {
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
 * The worker, started on first use, behind one handle for the cell's life. `reset` ends it:
 * transformers.js chains every session creation and run on one promise, so after a failure a
 * fresh worker is the only clean state.
 */
function useInferenceWorker() {
  const [handle] = useState(() => {
    let current: { worker: Worker; api: Comlink.Remote<InferenceWorkerApi> } | null = null;
    const reset = () => {
      current?.worker.terminate();
      current = null;
    };
    const get = () => {
      if (!current) {
        const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), {
          type: 'module',
          name: 'hwledger-inference',
        });
        current = { worker, api: Comlink.wrap<InferenceWorkerApi>(worker) };
      }
      return current.api;
    };
    return { get, reset };
  });
  useEffect(() => handle.reset, [handle]);
  return handle;
}

function FigureRow({ entry }: { entry: MeasuredFigure }) {
  const off = entry.relativeDifference !== null && entry.relativeDifference > HIGHLIGHT_SHARE;
  // relativeDifference is a magnitude; the share takes the sign of the byte difference.
  const sign = (entry.differenceBytes ?? 0) < 0 ? '-' : '';
  const share =
    entry.relativeDifference === null
      ? ''
      : ` (${sign}${(entry.relativeDifference * 100).toFixed(1)}%)`;
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

/** What the weights select offers here, and why fp16 is not offered when it is not. */
interface Fp16Offer {
  offered: boolean;
  reason: string;
}

/** Whether fp16 weights can run for this model choice on this browser (asked before loading). */
function useFp16Offer(choice: Choice, picked: PickedFolder | null, forceWasm: boolean): Fp16Offer {
  const [backendOffer, setBackendOffer] = useState<Fp16Offer>({
    offered: false,
    reason: 'checking whether this browser has WebGPU with shader-f16…',
  });
  useEffect(() => {
    let current = true;
    const gpu = (navigator as { gpu?: GpuLike }).gpu;
    void chooseBrowserBackend(gpu, 'fp16', forceWasm).then((backend) => {
      if (!current) return;
      setBackendOffer({ offered: backend.dtype === 'fp16', reason: backend.reason });
    });
    return () => {
      current = false;
    };
  }, [forceWasm]);

  if (choice === 'demo') {
    return { offered: false, reason: 'the demo model ships fp32 weights only' };
  }
  if (choice === 'folder' && picked && !picked.files.has(onnxFileName('fp16'))) {
    return { offered: false, reason: `"${picked.label}" has no ${onnxFileName('fp16')}` };
  }
  return backendOffer;
}

/** How long a stop request may take before the worker is ended instead. */
const STOP_GRACE_MS = 5000;

/** Pick a model, load it with a progress bar, type a prompt, watch tokens and measurements. */
export function InferenceCell() {
  const worker = useInferenceWorker();
  const hubBase = useHubBase();
  const [choice, setChoice] = useState<Choice>('demo');
  const [hubId, setHubId] = useState('');
  const [hubBaseText, setHubBaseText] = useState(hubBase);
  const [hubBaseShown, setHubBaseShown] = useState(hubBase);
  const [picked, setPicked] = useState<PickedFolder | null>(null);
  const [dtype, setDtype] = useState<ModelDtype>('fp32');
  const [forceWasm, setForceWasm] = useState(false);
  const [prompt, setPrompt] = useState('Hello, hwLedger');
  const [maxTokensText, setMaxTokensText] = useState('32');
  const [progress, setProgress] = useState<LoadProgress | null>(null);
  const [busy, setBusy] = useState<'loading' | 'running' | null>(null);
  const [stopping, setStopping] = useState(false);
  const [loaded, setLoaded] = useState<LoadSummary | null>(null);
  const [backend, setBackend] = useState<BackendChoice | null>(null);
  const [promptSize, setPromptSize] = useState<PromptSize | null>(null);
  const [streamed, setStreamed] = useState('');
  const [tokenIds, setTokenIds] = useState<number[]>([]);
  const [report, setReport] = useState<RunReport | null>(null);
  const [error, setError] = useState<{ message: string; field: string | null } | null>(null);
  const runCount = useRef(0);
  const fp16 = useFp16Offer(choice, picked, forceWasm);

  if (hubBaseShown !== hubBase) {
    setHubBaseShown(hubBase);
    setHubBaseText(hubBase);
  }
  if (dtype === 'fp16' && !fp16.offered) setDtype('fp32');

  useEffect(() => {
    if (!loaded || busy !== null) return;
    let current = true;
    void worker
      .get()
      .promptSize(prompt)
      .then((result) => {
        if (current) setPromptSize(result.ok ? result.value : null);
      });
    return () => {
      current = false;
    };
  }, [prompt, loaded, busy, worker]);

  const maxTokens = parseNewTokens(maxTokensText);
  const fieldProblem: FieldProblem | null = !maxTokens.ok
    ? maxTokens.problem
    : loaded && promptSize
      ? requestProblem({ ...promptSize, maxNewTokens: maxTokens.tokens })
      : null;

  // A refusal the worker sent for the request that the field check already shows is said once.
  const shownError = error && fieldProblem && error.message === fieldProblem.message ? null : error;

  /** An edited prompt or token count outdates the worker's refusal of the previous request. */
  const clearRequestError = () => {
    if (error?.field === 'prompt' || error?.field === 'new tokens') setError(null);
  };

  const source = (): ModelSource | FieldProblem => {
    if (choice === 'demo') return DEMO_SOURCE;
    if (choice === 'hub') return { kind: 'hub', baseUrl: hubBase, modelId: hubId.trim() };
    if (!picked) return { field: 'model folder', message: 'model folder: pick a folder first' };
    return { kind: 'files', label: picked.label, files: picked.files };
  };

  const pickFolder = async () => {
    const picker = (window as { showDirectoryPicker?: () => Promise<DirectoryHandleLike> })
      .showDirectoryPicker;
    if (!picker) return;
    try {
      const handle = await picker();
      setPicked({ label: handle.name, files: await readDirectory(handle) });
    } catch {
      setError({ message: 'No folder was picked.', field: 'model folder' });
    }
  };

  const load = async () => {
    const chosen = source();
    const problem = 'field' in chosen ? chosen : sourceProblem(chosen, dtype);
    if (problem) {
      setError({ message: problem.message, field: problem.field });
      return;
    }
    setError(null);
    setReport(null);
    setStreamed('');
    setTokenIds([]);
    setLoaded(null);
    setPromptSize(null);
    setProgress(null);
    setBusy('loading');
    runCount.current += 1;
    const thisLoad = runCount.current;
    const result = await worker.get().load(
      chosen as ModelSource,
      { dtype, forceWasm },
      Comlink.proxy((next: LoadProgress) => setProgress(next)),
    );
    if (runCount.current !== thisLoad) return;
    setBusy(null);
    if (!result.ok) {
      if (result.stage !== 'input') {
        worker.reset();
        setBackend(null);
      }
      setProgress(null);
      setError({ message: result.message, field: result.field });
      return;
    }
    setLoaded(result.value);
    setBackend(result.value.backend);
  };

  const run = async () => {
    if (!loaded || !maxTokens.ok || fieldProblem) return;
    setError(null);
    setReport(null);
    setStreamed('');
    setTokenIds([]);
    setBusy('running');
    setStopping(false);
    runCount.current += 1;
    const thisRun = runCount.current;
    const live = () => runCount.current === thisRun;
    const result = await worker.get().generate(
      prompt,
      maxTokens.tokens,
      Comlink.proxy((text: string, tokenId: number) => {
        if (!live()) return;
        setStreamed((previous) => previous + text);
        setTokenIds((previous) => [...previous, tokenId]);
      }),
    );
    if (!live()) return;
    runCount.current += 1;
    setBusy(null);
    setStopping(false);
    if (!result.ok) {
      if (result.stage === 'input') {
        setError({ message: result.message, field: result.field });
        return;
      }
      worker.reset();
      setLoaded(null);
      setBackend(null);
      setPromptSize(null);
      setError({
        message: `${result.message} The model was unloaded; load it again to continue.`,
        field: null,
      });
      return;
    }
    setReport(result.value);
    setStreamed(result.value.text);
    setTokenIds(result.value.tokenIds);
  };

  /** Ends the worker (a load, or a run that did not answer a stop) and frees the controls. */
  const abandon = (message: string) => {
    runCount.current += 1;
    worker.reset();
    setBusy(null);
    setStopping(false);
    setLoaded(null);
    setBackend(null);
    setPromptSize(null);
    setProgress(null);
    setError({ message, field: null });
  };

  const stop = () => {
    if (busy === 'loading') {
      abandon('Loading was cancelled; nothing is loaded.');
      return;
    }
    if (busy !== 'running' || stopping) return;
    setStopping(true);
    const thisRun = runCount.current;
    void worker.get().stop();
    window.setTimeout(() => {
      if (runCount.current !== thisRun) return;
      abandon(
        `The run did not stop within ${STOP_GRACE_MS / 1000} s (a long prompt step cannot be ` +
          'cut), so its worker was ended and the model unloaded; load it again to continue.',
      );
    }, STOP_GRACE_MS);
  };

  const hasPicker = typeof window !== 'undefined' && 'showDirectoryPicker' in window;
  const contextTokens = promptSize?.context?.tokens ?? loaded?.context?.tokens ?? null;

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
              spellCheck={false}
              value={hubId}
              onChange={(event) => setHubId(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && busy === null) void load();
              }}
            />
            <label>
              hub base URL (this browser, every notebook){' '}
              <input
                data-testid="inference-hub-base"
                spellCheck={false}
                value={hubBaseText}
                onChange={(event) => {
                  setHubBaseText(event.target.value);
                  setHubBaseSetting(event.target.value);
                  setHubBaseShown(hubBaseSetting());
                }}
              />
            </label>
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
          <select
            data-testid="inference-dtype"
            value={dtype}
            onChange={(event) => setDtype(event.target.value as ModelDtype)}
          >
            <option value="fp32">fp32</option>
            <option value="fp16" disabled={!fp16.offered}>
              {fp16.offered ? 'fp16' : 'fp16 (not available here)'}
            </option>
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
      {!fp16.offered && (
        <p className="muted" data-testid="inference-fp16-note">
          fp16 is not offered: {fp16.reason}.
        </p>
      )}
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
          {loaded.context
            ? `; context ${formatInt(loaded.context.tokens)} tokens (${loaded.context.key})`
            : '; its config names no context length, so prompts are not checked against one'}
        </p>
      )}
      <div className="row">
        <textarea
          aria-label="prompt"
          data-testid="inference-prompt"
          value={prompt}
          rows={3}
          title="Ctrl+Enter generates"
          onChange={(event) => {
            setPrompt(event.target.value);
            clearRequestError();
          }}
          onKeyDown={(event) => {
            const generateKey = event.key === 'Enter' && (event.ctrlKey || event.metaKey);
            if (!generateKey || busy !== null) return;
            event.preventDefault();
            void run();
          }}
        />
        <label>
          new tokens{' '}
          <input
            type="text"
            inputMode="numeric"
            value={maxTokensText}
            data-testid="inference-max-tokens"
            aria-invalid={!maxTokens.ok}
            onChange={(event) => {
              setMaxTokensText(event.target.value);
              clearRequestError();
            }}
          />
        </label>
        {busy === 'running' || busy === 'loading' ? (
          <button type="button" data-testid="inference-stop" onClick={stop} disabled={stopping}>
            {busy === 'loading' ? 'Cancel' : stopping ? 'Stopping…' : 'Stop'}
          </button>
        ) : (
          <button
            type="button"
            data-testid="inference-run"
            onClick={() => void run()}
            disabled={!loaded || fieldProblem !== null}
          >
            Generate
          </button>
        )}
      </div>
      {loaded && promptSize && (
        <p className="muted" data-testid="inference-prompt-tokens">
          prompt: {formatInt(promptSize.promptTokens)} tokens
          {contextTokens !== null && ` of the model's ${formatInt(contextTokens)}`}
        </p>
      )}
      {fieldProblem && (
        <p
          className="error-box"
          data-testid="inference-field-problem"
          data-field={fieldProblem.field}
        >
          {fieldProblem.message}
        </p>
      )}
      {shownError && (
        <div
          className="error-box"
          role="alert"
          data-testid="inference-error"
          data-field={shownError.field ?? ''}
        >
          {shownError.message}
        </div>
      )}
      <pre
        className="inference-output"
        style={OUTPUT_STYLE}
        data-testid="inference-output"
        data-tokens={JSON.stringify(tokenIds)}
        data-done={report ? 'true' : 'false'}
        data-stopped={report?.stopped ? 'true' : 'false'}
      >
        {streamed}
      </pre>
      {report && <RunView report={report} />}
    </section>
  );
}
