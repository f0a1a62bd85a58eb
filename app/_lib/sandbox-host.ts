// Hosts code cells in a sandbox: a blob worker inside an opaque-origin iframe, reached by comlink.
//
// The iframe has sandbox="allow-scripts" only (origin "null": no storage, no cookies) and a CSP
// that forbids every request. The page only wraps the sandbox's API and posts plain data; it
// never exposes anything. Stopping removes the iframe, which ends the worker at once.

import * as Comlink from 'comlink';
import type {
  CellRunRequest,
  CellRunResult,
  SandboxApi,
  SandboxInitMessage,
} from '../../workers/sandbox/protocol.ts';

/** Content-Security-Policy of the sandbox document: inline bootstrap and blob workers only. */
export const SANDBOX_CSP =
  "default-src 'none'; script-src 'unsafe-inline' blob:; worker-src blob:; connect-src 'none'";

const READY_TIMEOUT_MS = 10_000;

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The sandbox document: a CSP and a bootstrap that starts the worker and hands it the port. */
function sandboxDocument(nonce: string): string {
  const bootstrap = `
(() => {
  const NONCE = ${JSON.stringify(nonce)};
  let started = false;
  addEventListener('message', (event) => {
    if (started || event.source !== parent) return;
    const data = event.data;
    if (!data || data.type !== 'hw-sandbox-init' || data.nonce !== NONCE) return;
    const port = event.ports[0];
    if (!port || typeof data.runtime !== 'string') return;
    started = true;
    const url = URL.createObjectURL(new Blob([data.runtime], { type: 'text/javascript' }));
    const worker = new Worker(url);
    worker.postMessage(null, [port]);
  });
  parent.postMessage({ type: 'hw-sandbox-loaded', nonce: NONCE }, '*');
})();`;
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${SANDBOX_CSP}">
</head><body><script>${bootstrap}</script></body></html>`;
}

/** Raised when a run is stopped by the user, by a timeout, or because the sandbox died. */
export class SandboxStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxStopped';
  }
}

/** One sandbox at a time; `generation` counts restarts so callers know when state was lost. */
export class SandboxHost {
  generation = 0;
  private iframe: HTMLIFrameElement | null = null;
  private api: Promise<Comlink.Remote<SandboxApi>> | null = null;
  private stopListeners = new Set<(reason: SandboxStopped) => void>();

  constructor(private readonly runtime: () => Promise<string>) {}

  /** Runs a cell, racing it against `timeoutMs`; a timeout stops (and so resets) the sandbox. */
  async run(request: CellRunRequest, timeoutMs: number): Promise<CellRunResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onStop: ((reason: SandboxStopped) => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onStop = reject;
      this.stopListeners.add(reject);
      timer = setTimeout(() => {
        this.stop(`Stopped after ${Math.round(timeoutMs / 1000)} s without finishing.`);
      }, timeoutMs);
    });
    try {
      const api = await Promise.race([this.start(), stopped]);
      return await Promise.race([api.run(request), stopped]);
    } finally {
      clearTimeout(timer);
      if (onStop) this.stopListeners.delete(onStop);
    }
  }

  /** Removes the sandbox (ending any running cell) and rejects the calls in flight. */
  stop(message = 'Stopped.'): void {
    this.iframe?.remove();
    this.iframe = null;
    this.api = null;
    this.generation += 1;
    const reason = new SandboxStopped(message);
    for (const reject of this.stopListeners) reject(reason);
    this.stopListeners.clear();
  }

  /** The sandbox's API, started on first use; a start that fails is forgotten, to try again. */
  private start(): Promise<Comlink.Remote<SandboxApi>> {
    if (this.api) return this.api;
    const starting = this.create();
    this.api = starting;
    starting.catch(() => {
      if (this.api !== starting) return;
      this.iframe?.remove();
      this.iframe = null;
      this.api = null;
    });
    return starting;
  }

  private async create(): Promise<Comlink.Remote<SandboxApi>> {
    const runtime = await this.runtime();
    if (!runtime) throw new SandboxStopped('The code-cell runtime is missing from this build.');
    const nonce = randomNonce();
    const iframe = document.createElement('iframe');
    iframe.setAttribute('sandbox', 'allow-scripts');
    iframe.setAttribute('title', 'code cell sandbox');
    iframe.setAttribute('aria-hidden', 'true');
    iframe.style.display = 'none';
    iframe.srcdoc = sandboxDocument(nonce);
    this.iframe = iframe;
    const loaded = this.waitForLoad(iframe, nonce);
    document.body.appendChild(iframe);
    await loaded;
    const channel = new MessageChannel();
    const init: SandboxInitMessage = { type: 'hw-sandbox-init', nonce, runtime };
    iframe.contentWindow?.postMessage(init, '*', [channel.port2]);
    return Comlink.wrap<SandboxApi>(channel.port1);
  }

  private waitForLoad(iframe: HTMLIFrameElement, nonce: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        window.removeEventListener('message', onMessage);
        reject(new SandboxStopped('The sandbox did not start.'));
      }, READY_TIMEOUT_MS);
      const onMessage = (event: MessageEvent) => {
        if (event.source !== iframe.contentWindow || event.origin !== 'null') return;
        const data = event.data as { type?: unknown; nonce?: unknown } | null;
        if (data?.type !== 'hw-sandbox-loaded' || data.nonce !== nonce) return;
        clearTimeout(timer);
        window.removeEventListener('message', onMessage);
        resolve();
      };
      window.addEventListener('message', onMessage);
    });
  }
}
