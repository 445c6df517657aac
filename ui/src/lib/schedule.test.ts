import { describe, expect, it } from "vitest";
import type { Schedule } from "../ipc/bindings";
import { describeSchedule, formToSchedule, scheduleToForm, syncSettingsInput } from "./schedule";

describe("schedule <-> form", () => {
  const cases: [Schedule, ReturnType<typeof scheduleToForm>["mode"]][] = [
    [{ kind: "off" }, "off"],
    [{ kind: "every_hours", hours: 1 }, "hourly"],
    [{ kind: "every_hours", hours: 6 }, "every_n_hours"],
    [{ kind: "daily_at", hour: 7, minute: 5 }, "daily"],
  ];

  it.each(cases)("round-trips %j", (view, mode) => {
    const form = scheduleToForm(view);
    expect(form.mode).toBe(mode);
    expect(formToSchedule(form)).toEqual({ ok: true, value: view });
  });

  it("pads the daily time for the time input", () => {
    expect(scheduleToForm({ kind: "daily_at", hour: 7, minute: 5 }).time).toBe("07:05");
  });

  it("refuses hours out of range and bad times, naming the input", () => {
    expect(formToSchedule({ mode: "every_n_hours", hours: 0, time: "07:00" })).toMatchObject({ ok: false, input: "hours" });
    expect(formToSchedule({ mode: "every_n_hours", hours: 2.5, time: "07:00" })).toMatchObject({ ok: false, input: "hours" });
    expect(formToSchedule({ mode: "every_n_hours", hours: 25, time: "07:00" })).toMatchObject({ ok: false, input: "hours" });
    expect(formToSchedule({ mode: "daily", hours: 4, time: "24:00" })).toMatchObject({ ok: false, input: "time" });
    expect(formToSchedule({ mode: "daily", hours: 4, time: "" })).toMatchObject({ ok: false, input: "time" });
  });

  it("ignores the fields of the modes not chosen", () => {
    expect(formToSchedule({ mode: "off", hours: -3, time: "garbage" })).toEqual({ ok: true, value: { kind: "off" } });
  });

  it("describes a schedule in words", () => {
    expect(describeSchedule({ kind: "off" })).toBe("Off");
    expect(describeSchedule({ kind: "every_hours", hours: 1 })).toBe("Every hour");
    expect(describeSchedule({ kind: "every_hours", hours: 3 })).toBe("Every 3 hours");
    expect(describeSchedule({ kind: "daily_at", hour: 7, minute: 0 }, { locale: "en-GB" })).toBe("Daily at 07:00");
  });
});

describe("sync settings", () => {
  it("needs at least one hired status", () => {
    expect(syncSettingsInput([], { mode: "off", hours: 4, time: "07:00" })).toEqual({
      ok: false,
      statuses: "Add at least one status.",
      schedule: null,
    });
  });

  it("passes the schedule error through with its input", () => {
    expect(syncSettingsInput(["Hired"], { mode: "daily", hours: 4, time: "7" })).toMatchObject({
      ok: false,
      statuses: null,
      schedule: { input: "time" },
    });
  });

  it("builds the command's input", () => {
    expect(syncSettingsInput(["Hired", "Offer accepted"], { mode: "hourly", hours: 4, time: "07:00" })).toEqual({
      ok: true,
      value: { hired_statuses: ["Hired", "Offer accepted"], schedule: { kind: "every_hours", hours: 1 }, start_from: null, icims_concurrency: null },
    });
  });

  it("sends a start-from date when one is given, and keeps the saved one otherwise", () => {
    const check = syncSettingsInput(["Hired"], { mode: "off", hours: 4, time: "07:00" }, "2026-10-28");
    expect(check.ok && check.value.start_from).toBe("2026-10-28");
  });

  it("sends iCIMS reads at once only when asked to change them", () => {
    const off = { mode: "off", hours: 4, time: "07:00" } as const;
    const kept = syncSettingsInput(["Hired"], off);
    expect(kept.ok && kept.value.icims_concurrency).toBeNull();
    const two = syncSettingsInput(["Hired"], off, null, 2);
    expect(two.ok && two.value.icims_concurrency).toBe(2);
  });
});
