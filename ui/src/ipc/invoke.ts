// The one place that touches Tauri's invoke and event APIs. Features use the generated,
// typed `api` and `on` of ./commands.ts; this file only carries their calls and turns every
// failure into an IpcError.
import { invoke } from "@tauri-apps/api/core";
import { listen as tauriListen, type UnlistenFn } from "@tauri-apps/api/event";
import type { IpcError } from "./bindings";
import type { Commands, Events } from "./commands";

export type { UnlistenFn };

/** Every command rejects with an IpcError; anything else is a bug, shown as an internal error. */
export function asIpcError(e: unknown): IpcError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const err = e as IpcError;
    return { code: err.code, message: err.message, field: err.field ?? null };
  }
  return { code: "internal", message: String(e), field: null };
}

/** Calls a backend command with the arguments its declaration names. */
export async function call<K extends keyof Commands>(
  cmd: K,
  args: Commands[K]["args"],
): Promise<Commands[K]["returns"]> {
  try {
    return await invoke<Commands[K]["returns"]>(cmd, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

/** Calls `handler` with the payload of every `event` the backend sends. */
export function listen<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): Promise<UnlistenFn> {
  return tauriListen<Events[K]>(event, (e) => handler(e.payload));
}
