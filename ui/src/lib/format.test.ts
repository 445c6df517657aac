import { describe, expect, it } from "vitest";
import {
  dayOffset,
  durationBetween,
  formatClock,
  formatDate,
  formatDayTime,
  formatDuration,
  formatHourMinute,
  formatNumber,
  formatTitle,
  formatWhen,
  toDate,
} from "./format";

const gb = { locale: "en-GB", timeZone: "Europe/Berlin", now: new Date("2026-11-27T12:00:00Z") };
const us = { locale: "en-US", timeZone: "America/New_York", now: new Date("2026-11-27T12:00:00Z") };

describe("dates and times", () => {
  it("reads RFC 3339 and refuses anything else", () => {
    expect(toDate("2026-11-27T09:42:00Z")?.toISOString()).toBe("2026-11-27T09:42:00.000Z");
    expect(toDate("yesterday")).toBeNull();
    expect(toDate(null)).toBeNull();
    expect(formatClock("not a date", gb)).toBe("—");
  });

  it("shows local clock time in the user's zone", () => {
    expect(formatClock("2026-11-27T09:42:00Z", gb)).toBe("10:42");
    expect(formatClock("2026-11-27T09:42:00Z", us)).toBe("04:42 AM");
  });

  it("formats dates in the locale's order", () => {
    expect(formatDate("2026-11-27T09:42:00Z", gb)).toBe("27 Nov 2026");
    expect(formatDate("2026-11-27T09:42:00Z", us)).toBe("Nov 27, 2026");
  });

  it("counts calendar days in the user's zone, not UTC", () => {
    // 23:30 UTC on the 26th is already the 27th in Berlin.
    expect(dayOffset("2026-11-26T23:30:00Z", gb)).toBe(0);
    expect(dayOffset("2026-11-26T22:30:00Z", gb)).toBe(-1);
    expect(dayOffset("2026-11-28T08:00:00Z", gb)).toBe(1);
  });

  it("says Today / Yesterday / Tomorrow, else the day", () => {
    expect(formatDayTime("2026-11-27T08:00:00Z", gb)).toBe("Today 09:00");
    expect(formatDayTime("2026-11-26T08:00:00Z", gb)).toBe("Yesterday 09:00");
    expect(formatDayTime("2026-11-28T08:00:00Z", gb)).toBe("Tomorrow 09:00");
    expect(formatDayTime("2026-11-24T08:00:00Z", gb)).toBe("Tue 24 Nov 09:00");
    expect(formatDayTime("2025-02-03T08:00:00Z", gb)).toBe("3 Feb 2025 09:00");
  });

  it("shows only the time for today's checks", () => {
    expect(formatWhen("2026-11-27T09:42:00Z", gb)).toBe("10:42");
    expect(formatWhen("2026-11-25T09:42:00Z", gb)).toBe("Wed 25 Nov 10:42");
  });

  it("puts the zone in the hover title", () => {
    const title = formatTitle("2026-11-27T09:42:05Z", gb);
    expect(title).toContain("27 November 2026");
    expect(title).toContain("10:42:05");
    expect(title).toContain("Central European Standard Time");
    expect(title).toContain("(Europe/Berlin)");
  });
});

describe("numbers and durations", () => {
  it("groups digits by locale", () => {
    expect(formatNumber(12345, { locale: "en-US" })).toBe("12,345");
    expect(formatNumber(12345, { locale: "de-DE" })).toBe("12.345");
  });

  it("formats durations with unit words", () => {
    expect(formatDuration(42_000, { locale: "en" })).toBe("42 sec");
    expect(formatDuration(65_000, { locale: "en" })).toBe("1 min 5 sec");
    expect(formatDuration(120_000, { locale: "en" })).toBe("2 min");
    expect(formatDuration(7_380_000, { locale: "en" })).toBe("2 hr 3 min");
    expect(durationBetween("2026-11-27T09:00:00Z", "2026-11-27T09:00:12Z", { locale: "en" })).toBe("12 sec");
    expect(durationBetween("2026-11-27T09:00:00Z", null)).toBeNull();
  });

  it("formats wall-clock schedule times without shifting zones", () => {
    expect(formatHourMinute(7, 0, { locale: "en-GB" })).toBe("07:00");
    expect(formatHourMinute(19, 30, { locale: "en-US" })).toBe("07:30 PM");
  });
});
