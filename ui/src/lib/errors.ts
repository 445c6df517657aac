// Turning a failed command into words for a person.
import type { Field, IpcError } from "../ipc/bindings";
import { asIpcError } from "../ipc/invoke";
import { w } from "./words";

export interface Problem {
  /** What to show, in plain words. */
  message: string;
  /** The input it concerns, if any. */
  field: Field | null;
  /** Technical detail for the "Details" disclosure. */
  detail: string | null;
  code: IpcError["code"];
}

/** Internal errors may carry technical text: show plain words, keep the text as detail. */
export function toProblem(e: unknown): Problem {
  const err = asIpcError(e);
  if (err.code === "internal") {
    return { message: w.errors.fallback("internal"), field: err.field, detail: err.message || null, code: err.code };
  }
  const hint = w.errors.hint(err.code);
  const message = err.message?.trim() || w.errors.fallback(err.code);
  return {
    message: hint ? `${message} ${hint}` : message,
    field: err.field,
    detail: null,
    code: err.code,
  };
}
