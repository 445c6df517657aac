import { describe, expect, it } from "vitest";
import type { Counts, SyncProgress } from "../ipc/bindings";
import { progressCounts, progressFraction, progressText } from "./progress";

const counts: Counts = { read: 120, created: 3, would_create: 0, already_in_namely: 100, needs_review: 2, invalid: 1, failed: 1, left_out: 4 };
const p = (phase: SyncProgress["phase"], done: number, total: number | null): SyncProgress => ({
  connection: "Acme",
  run_id: 7,
  phase,
  done,
  total,
  counts,
  seconds_left: null,
});

describe("progress", () => {
  it("reads like the design", () => {
    expect(progressText(p("reading_hires", 120, 340), { locale: "en" })).toBe("Reading hires from iCIMS… 120 of 340");
    expect(progressText(p("adding_to_namely", 3, 9), { locale: "en" })).toBe("Adding to Namely… 3 of 9");
  });

  it("handles unknown totals and the phases without numbers", () => {
    expect(progressText(p("searching", 0, null))).toBe("Searching iCIMS for hires…");
    expect(progressText(p("reading_hires", 40, null), { locale: "en" })).toBe("Reading hires from iCIMS… 40");
    expect(progressText(p("done", 9, 9))).toBe("Finished");
    expect(progressText(p("reading_hires", 1200, 3400), { locale: "en-US" })).toBe("Reading hires from iCIMS… 1,200 of 3,400");
  });

  it("says how long a long listing of Namely profiles still takes", () => {
    const listing = { ...p("indexing_namely", 2350, 10000), seconds_left: 125 };
    expect(progressText(listing, { locale: "en-US" })).toBe(
      "Checking who is already in Namely… 2,350 of 10,000 · about 2 min left (Namely allows 100 pages of profiles a minute)",
    );
    expect(progressText({ ...listing, seconds_left: 23 }, { locale: "en-US" })).toBe(
      "Checking who is already in Namely… 2,350 of 10,000 · about 25 seconds left",
    );
    // A few seconds are not worth a word.
    expect(progressText({ ...listing, seconds_left: 4 }, { locale: "en-US" })).toBe("Checking who is already in Namely… 2,350 of 10,000");
  });

  it("gives the bar a fraction, or none when the total is unknown", () => {
    expect(progressFraction(p("reading_hires", 120, 340))).toBeCloseTo(0.3529, 3);
    expect(progressFraction(p("searching", 0, null))).toBeNull();
    expect(progressFraction(p("adding_to_namely", 12, 9))).toBe(1);
    expect(progressFraction(p("done", 0, null))).toBe(1);
  });

  it("sums skipped as already there, needs review, invalid and left out", () => {
    expect(progressCounts(counts)).toEqual({ read: 120, created: 3, skipped: 107, failed: 1 });
  });
});
