// Words and numbers for a running sync's progress bar.
import type { Counts, SyncProgress } from "../ipc/bindings";
import { formatNumber, type Fmt } from "./format";
import { w } from "./words";

/** "Reading hires from iCIMS… 120 of 340", "Adding to Namely… 3 of 9", "Searching iCIMS for hires…" */
export function progressText(p: SyncProgress, f: Fmt = {}): string {
  const phase = w.progress.phase[p.phase];
  if (p.phase === "done") return phase;
  if (p.total !== null && p.total > 0) {
    const text = `${phase} ${w.progress.of(formatNumber(p.done, f), formatNumber(p.total, f))}`;
    // Only a wait worth mentioning.
    return p.seconds_left !== null && p.seconds_left >= 10 ? `${text} · ${w.progress.left(p.seconds_left)}` : text;
  }
  return p.done > 0 ? `${phase} ${formatNumber(p.done, f)}` : phase;
}

/** 0..1 for the bar; null when the total is not known yet (an indeterminate bar). */
export function progressFraction(p: SyncProgress): number | null {
  if (p.phase === "done") return 1;
  if (p.total === null || p.total <= 0) return null;
  return Math.min(1, Math.max(0, p.done / p.total));
}

export interface ProgressCounts {
  read: number;
  created: number;
  /** Already in Namely, needing review, invalid, or left out: not written this run. */
  skipped: number;
  failed: number;
}

export function progressCounts(c: Counts): ProgressCounts {
  return {
    read: c.read,
    created: c.created,
    skipped: c.already_in_namely + c.needs_review + c.invalid + c.left_out,
    failed: c.failed,
  };
}
