// Health of a connection card, and sorting/filtering the dashboard by it.
import type { Counts, ConnectionSummary, Health, RunSummary } from "../ipc/bindings";
import { formatDayTime, formatNumber, type Fmt } from "./format";
import { w } from "./words";

export type ChipKey = "setup" | "owner" | "icims_key" | "namely_token";

export interface Chip {
  key: ChipKey;
  label: string;
  ok: boolean;
}

export function healthChips(h: Health): Chip[] {
  return [
    { key: "setup", label: w.dashboard.chips.setup, ok: h.setup_complete },
    { key: "owner", label: w.dashboard.chips.owner, ok: h.owner_valid },
    { key: "icims_key", label: w.dashboard.chips.icims_key, ok: h.icims_key_set },
    { key: "namely_token", label: w.dashboard.chips.namely_token, ok: h.namely_token_set },
  ];
}

const TROUBLED_RUNS = new Set(["failed", "finished_with_failures", "stopped_budget", "interrupted", "not_started"]);

/** How many things need attention (failed chips, a troubled last run, hires needing review,
 * warnings such as a hired status that matched nothing). */
export function attentionScore(c: ConnectionSummary): number {
  let score = healthChips(c.health).filter((chip) => !chip.ok).length;
  score += c.warnings.length;
  if (c.last_run && TROUBLED_RUNS.has(c.last_run.status)) score += 1;
  if (c.last_run && (c.last_run.counts.needs_review > 0 || c.last_run.counts.failed > 0)) score += 1;
  return score;
}

export function needsAttention(c: ConnectionSummary): boolean {
  return attentionScore(c) > 0;
}

export type CardFilter = "all" | "attention" | "healthy";
export type CardSort = "health" | "name" | "last_sync";

const byName = (a: ConnectionSummary, b: ConnectionSummary) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: "base" });

export function arrangeCards(list: ConnectionSummary[], filter: CardFilter, sort: CardSort): ConnectionSummary[] {
  const kept = list.filter((c) =>
    filter === "all" ? true : filter === "attention" ? needsAttention(c) : !needsAttention(c),
  );
  const sorted = [...kept];
  if (sort === "name") sorted.sort(byName);
  if (sort === "health") sorted.sort((a, b) => attentionScore(b) - attentionScore(a) || byName(a, b));
  if (sort === "last_sync") {
    const t = (c: ConnectionSummary) => (c.last_run ? Date.parse(c.last_run.started_at) : -Infinity);
    sorted.sort((a, b) => t(b) - t(a) || byName(a, b));
  }
  return sorted;
}

/** "3 added, 1 needs review" — only what is not zero; "nothing new" otherwise. */
export function countsText(c: Counts, f: Fmt = {}): string {
  const parts: string[] = [];
  const n = (x: number) => formatNumber(x, f);
  if (c.created) parts.push(w.summary.added(n(c.created)));
  if (c.needs_review) parts.push(w.summary.needsReview(c.needs_review, n(c.needs_review)));
  if (c.invalid) parts.push(w.summary.invalid(n(c.invalid)));
  if (c.failed) parts.push(w.summary.failed(n(c.failed)));
  return parts.length ? parts.join(", ") : w.dashboard.nothingNew;
}

/** "Today 09:00 — 3 added, 1 needs review" */
export function lastSyncText(run: RunSummary | null, f: Fmt = {}): string {
  if (!run) return w.dashboard.never;
  const when = formatDayTime(run.started_at, f);
  if (run.status === "running") return `${when} — ${w.history.running}`;
  if (run.status === "not_started") return `${when} — ${w.dashboard.didNotStart}`;
  if (run.status === "cancelled") return `${when} — ${w.dashboard.cancelledShort}, ${countsText(run.counts, f)}`;
  return `${when} — ${countsText(run.counts, f)}`;
}
