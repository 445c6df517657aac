// The start-from date of stop 5: the choices the backend offers, a date typed by hand, and
// how many hires each choice includes according to the latest dry run.
import type { StartFromChoice, StartFromChoices } from "../ipc/bindings";
import { formatCalendarDate, formatNumber, type Fmt } from "./format";
import { w } from "./words";

/** What the person picked: one of the offered dates, or another one typed by hand. */
export type StartFromPick = { kind: "choice"; date: string } | { kind: "other"; text: string };

export type StartFromCheck = { ok: true; value: string } | { ok: false; error: string };

/** A real calendar day written `YYYY-MM-DD`, as the backend takes it. */
export function parseStartFrom(text: string): StartFromCheck {
  const t = text.trim();
  if (!t) return { ok: false, error: w.review.startFromRequired };
  if (formatCalendarDate(t) === null) return { ok: false, error: w.review.startFromInvalid };
  return { ok: true, value: t };
}

/** The date to save for a pick, or why it cannot be saved. */
export function pickedDate(pick: StartFromPick): StartFromCheck {
  return pick.kind === "choice" ? { ok: true, value: pick.date } : parseStartFrom(pick.text);
}

/** The pick that shows the saved date: its choice when one is offered, else "another date". */
export function initialPick(choices: StartFromChoices): StartFromPick {
  const chosen = choices.choices.find((c) => c.chosen) ?? choices.choices.find((c) => c.date === choices.start_from);
  return chosen ? { kind: "choice", date: chosen.date } : { kind: "other", text: choices.start_from };
}

/** "12 hires", "at least 12 hires", or "run the preview to count" before any dry run. */
export function choiceCount(choice: StartFromChoice, f: Fmt = {}): string {
  if (choice.would_add === null) return w.review.countAfterPreview;
  const n = choice.would_add;
  return choice.at_least ? w.review.atLeastHires(n, formatNumber(n, f)) : w.review.hires(n, formatNumber(n, f));
}

/** "30 Oct 2026" for a `YYYY-MM-DD`, or the text itself when it is not a date. */
export function dayText(ymd: string, f: Fmt = {}): string {
  return formatCalendarDate(ymd, f) ?? ymd;
}
