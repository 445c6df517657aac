// Dates, times and numbers in the user's locale (Intl). Every function takes an optional
// `Fmt` so tests can pin the locale, the time zone and "now".

export interface Fmt {
  /** BCP 47 locale; undefined = the user's. */
  locale?: string;
  /** IANA zone; undefined = the computer's. */
  timeZone?: string;
  /** What "today" is measured from; undefined = the current time. */
  now?: Date;
}

const DAY_MS = 86_400_000;

function dtf(options: Intl.DateTimeFormatOptions, f: Fmt, locale = f.locale): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: f.timeZone });
}

/** Parses an RFC 3339 timestamp; null when it is not one. */
export function toDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Days since the epoch of the calendar day `d` falls on in the chosen zone. */
function calendarDay(d: Date, f: Fmt): number {
  const parts = dtf({ year: "numeric", month: "numeric", day: "numeric" }, f, "en-US").formatToParts(d);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Math.round(Date.UTC(get("year"), get("month") - 1, get("day")) / DAY_MS);
}

/** Whole calendar days from today to the day of `iso` (0 today, -1 yesterday, 1 tomorrow). */
export function dayOffset(iso: string, f: Fmt = {}): number | null {
  const d = toDate(iso);
  if (!d) return null;
  return calendarDay(d, f) - calendarDay(f.now ?? new Date(), f);
}

function capitalise(s: string, locale?: string): string {
  return s ? s.charAt(0).toLocaleUpperCase(locale) + s.slice(1) : s;
}

/** "10:42" */
export function formatClock(iso: string, f: Fmt = {}): string {
  const d = toDate(iso);
  return d ? dtf({ hour: "2-digit", minute: "2-digit" }, f).format(d) : "—";
}

/** "27 Nov 2026" (en-GB), "Nov 27, 2026" (en-US). */
export function formatDate(iso: string, f: Fmt = {}): string {
  const d = toDate(iso);
  return d ? dtf({ day: "numeric", month: "short", year: "numeric" }, f).format(d) : "—";
}

/** A calendar day `YYYY-MM-DD` (no time, no zone) as "30 Oct 2026"; null when it is not one. */
export function formatCalendarDate(ymd: string, f: Fmt = {}): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return new Intl.DateTimeFormat(f.locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(date);
}

/** "Today 09:00", "Yesterday 18:30", "Mon 24 Nov 09:00", "3 Feb 2025 09:00". */
export function formatDayTime(iso: string, f: Fmt = {}): string {
  const d = toDate(iso);
  const offset = dayOffset(iso, f);
  if (!d || offset === null) return "—";
  const clock = formatClock(iso, f);
  if (Math.abs(offset) <= 1) {
    const rtf = new Intl.RelativeTimeFormat(f.locale, { numeric: "auto" });
    return `${capitalise(rtf.format(offset, "day"), f.locale)} ${clock}`;
  }
  const sameYear =
    dtf({ year: "numeric" }, f).format(d) === dtf({ year: "numeric" }, f).format(f.now ?? new Date());
  const day = sameYear
    ? dtf({ weekday: "short", day: "numeric", month: "short" }, f).format(d)
    : dtf({ day: "numeric", month: "short", year: "numeric" }, f).format(d);
  return `${day} ${clock}`;
}

/** The clock time when `iso` is today, else the day and time: for "verified at …". */
export function formatWhen(iso: string, f: Fmt = {}): string {
  return dayOffset(iso, f) === 0 ? formatClock(iso, f) : formatDayTime(iso, f);
}

/** Full local date and time with the zone, for the `title` shown on hover. */
export function formatTitle(iso: string, f: Fmt = {}): string {
  const d = toDate(iso);
  if (!d) return "";
  const format = dtf(
    {
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "long",
    },
    f,
  );
  return `${format.format(d)} (${format.resolvedOptions().timeZone})`;
}

/** "1,234" / "1.234" */
export function formatNumber(n: number, f: Fmt = {}): string {
  return new Intl.NumberFormat(f.locale).format(n);
}

/** "42 sec", "1 min 5 sec", "2 hr 3 min" in the locale's unit words. */
export function formatDuration(ms: number, f: Fmt = {}): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const unit = (n: number, u: "hour" | "minute" | "second") =>
    new Intl.NumberFormat(f.locale, { style: "unit", unit: u, unitDisplay: "short" }).format(n);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return m > 0 ? `${unit(h, "hour")} ${unit(m, "minute")}` : unit(h, "hour");
  if (m > 0) return s > 0 ? `${unit(m, "minute")} ${unit(s, "second")}` : unit(m, "minute");
  return unit(s, "second");
}

/** Duration between two timestamps; null while the second is missing. */
export function durationBetween(startIso: string, endIso: string | null, f: Fmt = {}): string | null {
  const a = toDate(startIso);
  const b = toDate(endIso);
  return a && b ? formatDuration(b.getTime() - a.getTime(), f) : null;
}

/** "07:00" for a wall-clock hour and minute (no zone), in the locale's style. */
export function formatHourMinute(hour: number, minute: number, f: Fmt = {}): string {
  const d = new Date(Date.UTC(2000, 0, 1, hour, minute));
  return new Intl.DateTimeFormat(f.locale, { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }).format(d);
}
