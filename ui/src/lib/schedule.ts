// The schedule as the backend keeps it (Schedule) and as the form edits it.
import type { Schedule, SyncSettingsInput } from "../ipc/bindings";
import { formatHourMinute, type Fmt } from "./format";
import { w } from "./words";

export type ScheduleMode = "off" | "every_n_minutes" | "hourly" | "every_n_hours" | "daily";

/** The minute intervals Settings and the wizard offer (the CLI takes any from 1 to 1440). */
export const MINUTE_CHOICES = [15, 30] as const;

export interface ScheduleForm {
  mode: ScheduleMode;
  /** For "every N minutes". */
  minutes: number;
  /** For "every N hours". */
  hours: number;
  /** For "daily at", "HH:MM" (24 h, local wall-clock time). */
  time: string;
}

export const DEFAULT_FORM: ScheduleForm = { mode: "off", minutes: 30, hours: 4, time: "07:00" };

const pad = (n: number) => String(n).padStart(2, "0");

export function scheduleToForm(s: Schedule): ScheduleForm {
  switch (s.kind) {
    case "off":
      return { ...DEFAULT_FORM };
    case "every_minutes":
      return { ...DEFAULT_FORM, mode: "every_n_minutes", minutes: s.minutes };
    case "every_hours":
      return s.hours === 1
        ? { ...DEFAULT_FORM, mode: "hourly" }
        : { ...DEFAULT_FORM, mode: "every_n_hours", hours: s.hours };
    case "daily_at":
      return { ...DEFAULT_FORM, mode: "daily", time: `${pad(s.hour)}:${pad(s.minute)}` };
  }
}

export type FormResult =
  | { ok: true; value: Schedule }
  | { ok: false; error: string; input: "hours" | "time" | null };

export function formToSchedule(f: ScheduleForm): FormResult {
  switch (f.mode) {
    case "off":
      return { ok: true, value: { kind: "off" } };
    case "every_n_minutes": {
      const minutes = Number(f.minutes);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
        return { ok: false, error: w.schedule.minutesInvalid, input: null };
      }
      return { ok: true, value: { kind: "every_minutes", minutes } };
    }
    case "hourly":
      return { ok: true, value: { kind: "every_hours", hours: 1 } };
    case "every_n_hours": {
      const hours = Number(f.hours);
      if (!Number.isInteger(hours) || hours < 1 || hours > 24) {
        return { ok: false, error: w.schedule.hoursInvalid, input: "hours" };
      }
      return { ok: true, value: { kind: "every_hours", hours } };
    }
    case "daily": {
      const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(f.time.trim());
      if (!m) return { ok: false, error: w.schedule.timeInvalid, input: "time" };
      return { ok: true, value: { kind: "daily_at", hour: Number(m[1]), minute: Number(m[2]) } };
    }
  }
}

/** "Off", "Every 30 minutes", "Every hour", "Every 3 hours", "Daily at 07:00". */
export function describeSchedule(s: Schedule, f: Fmt = {}): string {
  switch (s.kind) {
    case "off":
      return w.schedule.describe.off;
    case "every_minutes":
      return w.schedule.describe.everyMinutes(s.minutes);
    case "every_hours":
      return s.hours === 1 ? w.schedule.describe.hourly : w.schedule.describe.everyN(s.hours);
    case "daily_at":
      return w.schedule.describe.daily(formatHourMinute(s.hour, s.minute, f));
  }
}

export function sameSchedule(a: Schedule, b: Schedule): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export type SyncSettingsCheck =
  | { ok: true; value: SyncSettingsInput }
  | { ok: false; statuses: string | null; schedule: { message: string; input: "hours" | "time" | null } | null };

/** Validates the hired statuses and the schedule form together (stop 5 and Settings).
 * `startFrom` (`YYYY-MM-DD`, checked by the caller) is sent as is; null keeps the saved one. */
export function syncSettingsInput(
  statuses: string[],
  form: ScheduleForm,
  startFrom: string | null = null,
  icimsConcurrency: number | null = null,
): SyncSettingsCheck {
  if (statuses.length === 0) return { ok: false, statuses: w.review.statusesRequired, schedule: null };
  const schedule = formToSchedule(form);
  if (!schedule.ok) return { ok: false, statuses: null, schedule: { message: schedule.error, input: schedule.input } };
  return {
    ok: true,
    value: { hired_statuses: statuses, schedule: schedule.value, start_from: startFrom, icims_concurrency: icimsConcurrency },
  };
}
