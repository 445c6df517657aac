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
      return "neutral";
    case "needs_review":
      return "warn";
    case "invalid":
    case "failed":
      return "bad";
  }
}

/** How many records have each outcome, in a stable order, leaving out the empty ones. */
export function outcomeTally(records: RecordView[]): { kind: OutcomeKind; count: number }[] {
  const order: OutcomeKind[] = ["created", "would_create", "already_in_namely", "needs_review", "invalid", "failed"];
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
