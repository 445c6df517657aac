// Backend events the interface listens to. Like commands.ts, the only place that touches the
// Tauri event API; features subscribe through these helpers.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { SyncProgress } from "./bindings";

/** Name of the event the backend emits while a sync runs (payload: SyncProgress). */
export const SYNC_PROGRESS_EVENT = "sync-progress";

export type { UnlistenFn };

/** Calls `handler` with every progress update of every connection's sync. */
export function onSyncProgress(handler: (progress: SyncProgress) => void): Promise<UnlistenFn> {
  return listen<SyncProgress>(SYNC_PROGRESS_EVENT, (event) => handler(event.payload));
}
