// Running syncs, shared by the dashboard, the history and the wizard's first sync. Progress
// arrives as `sync-progress` events and every end as `sync-finished`, for manual and
// scheduled runs alike. A running sync can be cancelled: it stops after the hire in flight.
import type { RunDetails, SyncFinished, SyncProgress } from "../ipc/bindings";
import { api, on } from "../ipc/commands";
import { asIpcError, type UnlistenFn } from "../ipc/invoke";

class Syncs {
  /** Latest progress per connection, while a run is going on. */
  progress = $state<Record<string, SyncProgress>>({});
  /** Connections this window started a sync for, or that the backend said are busy. */
  running = $state<Record<string, boolean>>({});
  /** Connections whose sync was asked to stop and has not ended yet. */
  stopping = $state<Record<string, boolean>>({});
  /** Bumped whenever a run ends, so lists can reload. */
  finished = $state(0);

  #unlisten: Promise<UnlistenFn[]> | null = null;

  /** Subscribes once to the backend's sync events. */
  listen() {
    this.#unlisten ??= Promise.all([
      on.syncProgress((p) => this.#onProgress(p)),
      on.syncFinished((f) => this.#onFinished(f)),
    ]).catch(() => []);
  }

  #onProgress(p: SyncProgress) {
    if (p.phase === "done") delete this.progress[p.connection];
    else this.progress[p.connection] = p;
  }

  /** Any run ended, this window's or a scheduled one: lists and history reload. */
  #onFinished(f: SyncFinished) {
    delete this.progress[f.connection];
    delete this.stopping[f.connection];
    if (!this.#started.has(f.connection)) delete this.running[f.connection];
    this.finished += 1;
  }

  #started = new Set<string>();

  isRunning(connection: string): boolean {
    return !!this.running[connection] || !!this.progress[connection];
  }

  /** Forget a busy mark when the backend reports the connection idle again. */
  settle(connection: string, backendRunning: boolean) {
    if (!backendRunning && !this.#started.has(connection)) {
      delete this.running[connection];
      delete this.progress[connection];
      delete this.stopping[connection];
    }
  }

  isStopping(connection: string): boolean {
    return !!this.stopping[connection];
  }

  /**
   * Asks the running sync of `connection` (this window's or a scheduled one) to stop after
   * the hire in flight. It stays "stopping" until the run's `sync-finished`; when the backend
   * answers that nothing runs, the mark goes at once. Errors are the caller's to show.
   */
  async cancel(connection: string): Promise<void> {
    this.stopping[connection] = true;
    try {
      const asked = await api.cancelSync(connection);
      if (!asked) delete this.stopping[connection];
    } catch (err) {
      delete this.stopping[connection];
      throw err;
    }
  }

  /**
   * Runs a real sync (or a retry); resolves with the finished run. When the backend answers
   * `busy`, another run (e.g. a scheduled one) is going on: the connection stays marked as
   * running until that run's `sync-finished` event, or until the backend lists it idle (settle).
   */
  async start(connection: string, run: (name: string) => Promise<RunDetails> = api.syncNow): Promise<RunDetails> {
    this.#started.add(connection);
    this.running[connection] = true;
    let busy = false;
    try {
      return await run(connection);
    } catch (err) {
      busy = asIpcError(err).code === "busy";
      throw err;
    } finally {
      this.#started.delete(connection);
      delete this.progress[connection];
      delete this.stopping[connection];
      if (busy) this.running[connection] = true;
      else delete this.running[connection];
      // Lists reload on the run's `sync-finished` event, which the backend sends for this
      // run too (even when it could not run), not a second time here.
    }
  }
}

export const syncs = new Syncs();

/**
 * Calls `load` each time any run ends (manual, scheduled, a review's, or from another
 * window): the lists that show runs or their outcomes stay current. Call it while a
 * component initialises.
 */
export function reloadWhenRunsEnd(load: () => unknown): void {
  let seen = syncs.finished;
  $effect(() => {
    if (syncs.finished !== seen) {
      seen = syncs.finished;
      void load();
    }
  });
}
