// Display helpers for runs and their records.
import type { OutcomeKind, RecordView } from "../ipc/bindings";

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
