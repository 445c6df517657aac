import { describe, expect, it } from "vitest";
import type { ConnectionSummary, Counts, RunSummary } from "../ipc/bindings";
import { arrangeCards, attentionScore, countsText, healthChips, lastSyncText, needsAttention } from "./health";

const zero: Counts = { read: 0, created: 0, would_create: 0, already_in_namely: 0, needs_review: 0, invalid: 0, failed: 0, left_out: 0 };
const now = new Date("2026-11-27T12:00:00Z");
const f = { locale: "en-GB", timeZone: "Europe/London", now };

function run(counts: Partial<Counts>, status: RunSummary["status"] = "succeeded", started = "2026-11-27T09:00:00Z"): RunSummary {
  return {
    id: 1,
    connection: "x",
    trigger: "schedule",
    dry_run: false,
    status,
    started_at: started,
    ended_at: started,
    counts: { ...zero, ...counts },
    icims_calls: 10,
    namely_calls: 3,
    error_code: null,
    error: null,
  };
}

function card(name: string, healthy: boolean, last: RunSummary | null = null, warnings: string[] = []): ConnectionSummary {
  return {
    name,
    company_name: null,
    namely_permalink: name.toLowerCase(),
    sandbox: false,
    health: { setup_complete: healthy, owner_valid: healthy, icims_key_set: true, namely_token_set: true },
    last_run: last,
    next_sync_at: null,
    next_sync_text: null,
    schedule_note: null,
    schedule: { kind: "off" },
    running: false,
    warnings,
  };
}

describe("health", () => {
  it("makes four chips in a fixed order", () => {
    const chips = healthChips({ setup_complete: true, owner_valid: false, icims_key_set: true, namely_token_set: false });
    expect(chips.map((c) => [c.label, c.ok])).toEqual([
      ["Setup", true],
      ["Owner", false],
      ["iCIMS key", true],
      ["Namely sign-in", false],
    ]);
  });

  it("counts failed chips and troubled runs as needing attention", () => {
    expect(attentionScore(card("A", true))).toBe(0);
    expect(attentionScore(card("A", false))).toBe(2);
    expect(needsAttention(card("A", true, run({ created: 3 })))).toBe(false);
    expect(needsAttention(card("A", true, run({ needs_review: 1 })))).toBe(true);
    expect(needsAttention(card("A", true, run({}, "failed")))).toBe(true);
    expect(needsAttention(card("A", true, run({}, "not_started")))).toBe(true);
    // A person stopped it: nothing to fix, the next sync picks up the rest.
    expect(needsAttention(card("A", true, run({ created: 2 }, "cancelled")))).toBe(false);
  });

  it("counts each warning (a hired status that matched nothing) as needing attention", () => {
    const warned = card("A", true, null, ['No iCIMS workflow was in the hired status "Hird" since the start-from date 28 Oct 2026.']);
    expect(attentionScore(warned)).toBe(1);
    expect(arrangeCards([card("B", true), warned], "attention", "name").map((c) => c.name)).toEqual(["A"]);
  });

  it("filters and sorts cards", () => {
    const list = [card("beta", true), card("Alpha", true), card("gamma", false)];
    expect(arrangeCards(list, "all", "name").map((c) => c.name)).toEqual(["Alpha", "beta", "gamma"]);
    expect(arrangeCards(list, "all", "health").map((c) => c.name)).toEqual(["gamma", "Alpha", "beta"]);
    expect(arrangeCards(list, "attention", "name").map((c) => c.name)).toEqual(["gamma"]);
    expect(arrangeCards(list, "healthy", "name").map((c) => c.name)).toEqual(["Alpha", "beta"]);
    const dated = [
      card("old", true, run({}, "succeeded", "2026-11-20T09:00:00Z")),
      card("never", true),
      card("new", true, run({}, "succeeded", "2026-11-27T09:00:00Z")),
    ];
    expect(arrangeCards(dated, "all", "last_sync").map((c) => c.name)).toEqual(["new", "old", "never"]);
  });
});

describe("last sync line", () => {
  it("reads like the design", () => {
    expect(lastSyncText(run({ created: 3, needs_review: 1, already_in_namely: 40 }), f)).toBe(
      "Today 09:00 — 3 added, 1 needs review",
    );
  });

  it("says nothing new, never, or running", () => {
    expect(lastSyncText(run({ already_in_namely: 4 }), f)).toBe("Today 09:00 — nothing new");
    expect(lastSyncText(null, f)).toBe("Never");
    expect(lastSyncText(run({}, "running"), f)).toBe("Today 09:00 — Running…");
    expect(lastSyncText(run({}, "not_started"), f)).toBe("Today 09:00 — did not start");
    expect(lastSyncText(run({ created: 2 }, "cancelled"), f)).toBe("Today 09:00 — cancelled, 2 added");
  });

  it("uses plural forms and the locale's digits", () => {
    expect(countsText({ ...zero, created: 1200, needs_review: 2, invalid: 1, failed: 1 }, { locale: "en-US" })).toBe(
      "1,200 added, 2 need review, 1 invalid, 1 failed",
    );
  });
});
