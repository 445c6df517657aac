import { describe, expect, it } from "vitest";
import type { Schedule } from "../ipc/bindings";
import { MINUTE_CHOICES, describeSchedule, formToSchedule, scheduleToForm, syncSettingsInput } from "./schedule";

describe("schedule <-> form", () => {
  const cases: [Schedule, ReturnType<typeof scheduleToForm>["mode"]][] = [
    [{ kind: "off" }, "off"],
    [{ kind: "every_minutes", minutes: 15 }, "every_n_minutes"],
    [{ kind: "every_minutes", minutes: 30 }, "every_n_minutes"],
    [{ kind: "every_minutes", minutes: 10 }, "every_n_minutes"],
    [{ kind: "every_hours", hours: 1 }, "hourly"],
    [{ kind: "every_hours", hours: 6 }, "every_n_hours"],
    [{ kind: "daily_at", hour: 7, minute: 5 }, "daily"],
  ];

  it.each(cases)("round-trips %j", (view, mode) => {
    const form = scheduleToForm(view);
    expect(form.mode).toBe(mode);
    expect(formToSchedule(form)).toEqual({ ok: true, value: view });
  });

  it("keeps the minutes of an every-N-minutes schedule, and offers 15 and 30", () => {
    expect(scheduleToForm({ kind: "every_minutes", minutes: 15 }).minutes).toBe(15);
    expect(scheduleToForm({ kind: "off" }).minutes).toBe(30);
    expect(MINUTE_CHOICES).toEqual([15, 30]);
  });

  it("refuses minutes out of range, with no input to mark", () => {
    for (const minutes of [0, -5, 1441, 2.5, Number.NaN]) {
      expect(formToSchedule({ mode: "every_n_minutes", minutes, hours: 4, time: "07:00" })).toEqual({
        ok: false,
        error: "Choose a whole number of minutes from 1 to 1440.",
        input: null,
      });
    }
    expect(formToSchedule({ mode: "every_n_minutes", minutes: 1440, hours: 4, time: "07:00" })).toEqual({
      ok: true,
      value: { kind: "every_minutes", minutes: 1440 },
    });
  });

  it("pads the daily time for the time input", () => {
    expect(scheduleToForm({ kind: "daily_at", hour: 7, minute: 5 }).time).toBe("07:05");
  });

  it("refuses hours out of range and bad times, naming the input", () => {
    expect(formToSchedule({ mode: "every_n_hours", minutes: 30, hours: 0, time: "07:00" })).toMatchObject({ ok: false, input: "hours" });
    expect(formToSchedule({ mode: "every_n_hours", minutes: 30, hours: 2.5, time: "07:00" })).toMatchObject({ ok: false, input: "hours" });
    expect(formToSchedule({ mode: "every_n_hours", minutes: 30, hours: 25, time: "07:00" })).toMatchObject({ ok: false, input: "hours" });
    expect(formToSchedule({ mode: "daily", minutes: 30, hours: 4, time: "24:00" })).toMatchObject({ ok: false, input: "time" });
    expect(formToSchedule({ mode: "daily", minutes: 30, hours: 4, time: "" })).toMatchObject({ ok: false, input: "time" });
  });

  it("ignores the fields of the modes not chosen", () => {
    expect(formToSchedule({ mode: "off", minutes: -1, hours: -3, time: "garbage" })).toEqual({ ok: true, value: { kind: "off" } });
  });

  it("describes a schedule in words", () => {
    expect(describeSchedule({ kind: "off" })).toBe("Off");
    expect(describeSchedule({ kind: "every_minutes", minutes: 1 })).toBe("Every minute");
    expect(describeSchedule({ kind: "every_minutes", minutes: 30 })).toBe("Every 30 minutes");
    expect(describeSchedule({ kind: "every_hours", hours: 1 })).toBe("Every hour");
    expect(describeSchedule({ kind: "every_hours", hours: 3 })).toBe("Every 3 hours");
    expect(describeSchedule({ kind: "daily_at", hour: 7, minute: 0 }, { locale: "en-GB" })).toBe("Daily at 07:00");
  });
});

describe("sync settings", () => {
  it("needs at least one hired status", () => {
    expect(syncSettingsInput([], { mode: "off", minutes: 30, hours: 4, time: "07:00" })).toEqual({
      ok: false,
      statuses: "Add at least one status.",
      schedule: null,
    });
  });

  it("passes the schedule error through with its input", () => {
    expect(syncSettingsInput(["Hired"], { mode: "daily", minutes: 30, hours: 4, time: "7" })).toMatchObject({
      ok: false,
      statuses: null,
      schedule: { input: "time" },
    });
  });

  it("sends an every-N-minutes schedule", () => {
    expect(syncSettingsInput(["Hired"], { mode: "every_n_minutes", minutes: 15, hours: 4, time: "07:00" })).toMatchObject({
      ok: true,
      value: { schedule: { kind: "every_minutes", minutes: 15 } },
    });
  });

  it("builds the command's input", () => {
    expect(syncSettingsInput(["Hired", "Offer accepted"], { mode: "hourly", minutes: 30, hours: 4, time: "07:00" })).toEqual({
      ok: true,
      value: { hired_statuses: ["Hired", "Offer accepted"], schedule: { kind: "every_hours", hours: 1 }, start_from: null, icims_concurrency: null },
    });
  });

  it("sends a start-from date when one is given, and keeps the saved one otherwise", () => {
    const check = syncSettingsInput(["Hired"], { mode: "off", minutes: 30, hours: 4, time: "07:00" }, "2026-10-28");
    expect(check.ok && check.value.start_from).toBe("2026-10-28");
  });

  it("sends iCIMS reads at once only when asked to change them", () => {
    const off = { mode: "off", minutes: 30, hours: 4, time: "07:00" } as const;
    const kept = syncSettingsInput(["Hired"], off);
    expect(kept.ok && kept.value.icims_concurrency).toBeNull();
    const two = syncSettingsInput(["Hired"], off, null, 2);
    expect(two.ok && two.value.icims_concurrency).toBe(2);
  });
});
