// Display helpers for runs and their records.
import type { OutcomeKind, RecordView, RunErrorCode } from "../ipc/bindings";
import { w } from "./words";

export type Tone = "ok" | "bad" | "warn" | "neutral";

export function outcomeTone(kind: OutcomeKind): Tone {
  switch (kind) {
    case "created":
    case "would_create":
      return "ok";
    case "already_in_namely":
    case "left_out":
      return "neutral";
    case "needs_review":
    case "created_with_warning":
      return "warn";
    case "invalid":
    case "failed":
      return "bad";
  }
}

/** How many records have each outcome, in a stable order, leaving out the empty ones. */
export function outcomeTally(records: RecordView[]): { kind: OutcomeKind; count: number }[] {
  const order: OutcomeKind[] = [
    "created",
    "created_with_warning",
    "would_create",
    "already_in_namely",
    "needs_review",
    "invalid",
    "failed",
    "left_out",
  ];
  return order
    .map((kind) => ({ kind, count: records.filter((r) => r.outcome === kind).length }))
    .filter((t) => t.count > 0);
}

/** What to do about a run that failed, when it is fixed in the company's Settings; null when
 * there is nothing to fix there (the next run simply tries again). */
export function runFix(code: RunErrorCode | null): string | null {
  if (!code) return null;
  const fixes: Partial<Record<RunErrorCode, string>> = w.runFix;
  return fixes[code] ?? null;
}

/** Where the fix of `runFix` is made: the owner is chosen in Setup, the rest in Settings. */
export function runFixPlace(code: RunErrorCode | null): "settings" | "setup" | null {
  if (!runFix(code)) return null;
  return code === "owner_invalid" ? "setup" : "settings";
}

/** The wizard stop where a run that did not start is fixed, by its error code. */
export function fixStop(code: RunErrorCode | null): "owner" | "namely_sign_in" | "icims" | null {
  switch (code) {
    case "owner_invalid":
      return "owner";
    case "namely_credentials":
      return "namely_sign_in";
    case "icims_credentials":
    case "icims_access":
    case "icims_unexpected":
      return "icims";
    default:
      return null;
  }
}

/** The outcome's name where there is room for it in full. */
export function outcomeLong(kind: OutcomeKind): string {
  return w.outcomeLong[kind] ?? w.outcome[kind];
}
