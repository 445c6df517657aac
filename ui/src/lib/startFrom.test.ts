import { describe, expect, it } from "vitest";
import type { StartFromChoice, StartFromChoices } from "../ipc/bindings";
import { formatCalendarDate } from "./format";
import { choiceCount, dayText, initialPick, parseStartFrom, pickedDate } from "./startFrom";

const choice = (date: string, would_add: number | null, at_least = false, chosen = false): StartFromChoice => ({
  date,
  label: `label ${date}`,
  would_add,
  at_least,
  chosen,
});

describe("start-from date", () => {
  it("takes a real day written YYYY-MM-DD and refuses anything else", () => {
    expect(parseStartFrom(" 2026-10-30 ")).toEqual({ ok: true, value: "2026-10-30" });
    expect(parseStartFrom("2026-02-30")).toEqual({ ok: false, error: "Type a whole date, for example 2026-11-01." });
    expect(parseStartFrom("30/10/2026").ok).toBe(false);
    expect(parseStartFrom("")).toEqual({ ok: false, error: "Choose a date, or type one." });
    expect(pickedDate({ kind: "choice", date: "2026-10-28" })).toEqual({ ok: true, value: "2026-10-28" });
    expect(pickedDate({ kind: "other", text: "2026-13-01" }).ok).toBe(false);
  });

  it("counts each choice once a dry run exists", () => {
    expect(choiceCount(choice("2026-10-28", null))).toBe("run the preview to count");
    expect(choiceCount(choice("2026-10-28", 1))).toBe("1 hire");
    expect(choiceCount(choice("2026-10-28", 12))).toBe("12 hires");
    expect(choiceCount(choice("2025-11-27", 1840, true), { locale: "en-US" })).toBe("at least 1,840 hires");
  });

  it("starts from the saved date", () => {
    const offered: StartFromChoices = {
      start_from: "2026-10-28",
      preview_run_id: null,
      choices: [choice("2026-11-27", null), choice("2026-10-28", null, false, true)],
    };
    expect(initialPick(offered)).toEqual({ kind: "choice", date: "2026-10-28" });
    expect(initialPick({ ...offered, start_from: "2026-01-05", choices: [choice("2026-11-27", null)] })).toEqual({
      kind: "other",
      text: "2026-01-05",
    });
  });

  it("shows a calendar day without shifting it by the time zone", () => {
    expect(formatCalendarDate("2026-10-30", { locale: "en-GB" })).toBe("30 Oct 2026");
    expect(formatCalendarDate("2026-10-30", { locale: "en-US" })).toBe("Oct 30, 2026");
    expect(formatCalendarDate("2026-02-29")).toBeNull();
    expect(dayText("soon")).toBe("soon");
  });
});
