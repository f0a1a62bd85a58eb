// Saves a notebook's versions one at a time, each checked against the revision this tab last saw.

import type { Notebook } from '../../lib/notebook/model.ts';
import { SaveConflictError, saveNotebook, type StoredNotebook } from './db.ts';

/** Where this tab's edits stand: stored, on their way, refused by storage, or in conflict. */
export type SaveState = 'saved' | 'saving' | 'failed' | 'conflict';

/** What the saver shows: its state, the other tab's version in a conflict, a failure's reason. */
export interface SaverSnapshot {
  state: SaveState;
  /** In a conflict: the stored version now (null when it was deleted); otherwise undefined. */
  theirs: StoredNotebook | null | undefined;
  /** Why the last save failed, for people. */
  failure: string | null;
}

/** The storage call the saver makes; db.ts's saveNotebook, or a stand-in in unit tests. */
export type SaveFunction = (
  notebook: Notebook,
  codeTrusted: boolean,
  options: { expectedRevision?: number },
) => Promise<number>;

interface Version {
  notebook: Notebook;
  codeTrusted: boolean;
}

/**
 * Saves every version of one open notebook in order (only the newest of those waiting), each
 * with the revision this tab last saw, so a save never overwrites another tab's work: a
 * changed or deleted row stops saving and is reported as a conflict, and the edits wait here.
 */
export class NotebookSaver {
  private snap: SaverSnapshot = { state: 'saved', theirs: undefined, failure: null };
  private listeners = new Set<() => void>();
  private id: string | null;
  private revision: number | null;
  private last: Version | null = null;
  private pending: Version | null = null;
  private busy = false;

  /** `base` is the stored notebook this tab opened (null for one not stored yet). */
  constructor(
    base: StoredNotebook | null,
    private readonly store: SaveFunction = saveNotebook,
  ) {
    this.id = base?.notebook.id ?? null;
    this.revision = base?.revision ?? null;
    this.last = base ? { notebook: base.notebook, codeTrusted: base.codeTrusted } : null;
  }

  /** The current snapshot, replaced (never mutated) on each change. */
  snapshot = (): SaverSnapshot => this.snap;

  /** Calls `listener` after each change; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The revision this tab's copy is based on, or null before its first save. */
  get baseRevision(): number | null {
    return this.revision;
  }

  /** Whether every edit is stored and no conflict waits: a newer stored version can be shown. */
  get idle(): boolean {
    return !this.busy && this.pending === null && this.snap.state !== 'conflict';
  }

  /** Stores `notebook` (unless it is the version last stored or read); a new id starts afresh. */
  save(notebook: Notebook, codeTrusted: boolean): void {
    const last = this.last;
    if (last?.notebook === notebook && last.codeTrusted === codeTrusted) return;
    this.pending = { notebook, codeTrusted };
    if (notebook.id !== this.id) {
      this.id = notebook.id;
      this.revision = null;
    } else if (this.snap.state === 'conflict') return;
    this.set({ state: 'saving', theirs: undefined, failure: null });
    void this.drain();
  }

  /** Takes a stored version (another tab's, chosen or shown live) as this tab's base. */
  adopt(stored: StoredNotebook): void {
    this.id = stored.notebook.id;
    this.revision = stored.revision;
    this.last = { notebook: stored.notebook, codeTrusted: stored.codeTrusted };
    this.pending = null;
    this.set({ state: 'saved', theirs: undefined, failure: null });
  }

  /** Reports that another tab deleted the stored notebook (edits here are kept, not saved). */
  deletedElsewhere(): void {
    this.set({ state: 'conflict', theirs: null, failure: null });
  }

  /**
   * Ends a deletion conflict: stores this tab's version again under the same id, or, when the
   * row came back at the revision this tab knows (an undone delete), simply carries on.
   */
  saveAgain(restoredRevision: number | null = null): void {
    if (this.snap.state !== 'conflict' || this.snap.theirs !== null) return;
    if (restoredRevision === null || restoredRevision !== this.revision) {
      this.revision = null;
      this.pending ??= this.last;
    }
    this.set({ state: this.pending ? 'saving' : 'saved', theirs: undefined, failure: null });
    void this.drain();
  }

  private set(next: SaverSnapshot): void {
    this.snap = next;
    for (const listener of this.listeners) listener();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let job = this.pending; job !== null; job = this.pending) {
        this.pending = null;
        if (!(await this.storeOne(job))) break;
      }
    } finally {
      this.busy = false;
    }
  }

  /** Stores one version; false when saving must stop (a conflict). */
  private async storeOne(job: Version): Promise<boolean> {
    const options = this.revision === null ? {} : { expectedRevision: this.revision };
    try {
      const revision = await this.store(job.notebook, job.codeTrusted, options);
      if (job.notebook.id !== this.id) return true;
      this.revision = revision;
      this.last = job;
      if (this.pending === null) this.set({ state: 'saved', theirs: undefined, failure: null });
      return true;
    } catch (error) {
      if (job.notebook.id !== this.id) return true;
      if (error instanceof SaveConflictError) {
        this.pending ??= job;
        this.set({ state: 'conflict', theirs: error.stored, failure: null });
        return false;
      }
      const failure = error instanceof Error && error.message ? error.message : 'storage refused';
      this.pending ??= job;
      this.set({ state: 'failed', theirs: undefined, failure });
      return false;
    }
  }
}
