// Business time: which instants count towards an SLA target. A calendar is a time zone, weekly
// opening windows in local wall-clock time and holidays (date-holidays' public holidays of a
// country / region, plus an explicit list). Arithmetic is done on real instants inside the
// windows, so a window that contains a DST switch is as long as it really is (23 or 25 h for a
// 00:00–24:00 window); windows themselves are built in local time by luxon, so 09:00 is 09:00 on
// both sides of the last Sunday of March or October.
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

export const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
export type IsoWeekday = (typeof WEEKDAYS)[number];
/** A window [start, end) in local time, "HH:MM" (end may be "24:00"). */
export type TimeWindow = readonly [start: string, end: string];

export interface BusinessCalendar {
  timeZone: string;
  /** ISO weekday (1 = Monday … 7 = Sunday) → its windows; a missing day is closed. */
  weeklyHours: Partial<Record<IsoWeekday, readonly TimeWindow[]>>;
  /** date-holidays country code (e.g. DE) and optional region (e.g. BY); null: no holiday list. */
  holidayCountry: string | null;
  holidayRegion: string | null;
  /** Extra closed days, YYYY-MM-DD in the calendar's time zone. */
  holidays: readonly string[];
}

/** Searching further than this for open time means the calendar has none (a config error). */
const MAX_DAYS = 3 * 366;

const holidayCache = new Map<string, Set<string>>();

/** Public holidays of a country / region in one year, as YYYY-MM-DD (cached per process). */
function publicHolidays(country: string, region: string | null, year: number): Set<string> {
  const key = `${country}:${region ?? ''}:${year}`;
  let days = holidayCache.get(key);
  if (!days) {
    const hd = region ? new Holidays(country, region) : new Holidays(country);
    // Only `public` days close the office; bank holidays and observances (Valentine's day) do not.
    days = new Set(
      hd
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    holidayCache.set(key, days);
  }
  return days;
}

export function isHoliday(cal: BusinessCalendar, day: DateTime): boolean {
  const iso = day.toISODate()!;
  if (cal.holidays.includes(iso)) return true;
  return !!cal.holidayCountry && publicHolidays(cal.holidayCountry, cal.holidayRegion, day.year).has(iso);
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** The open windows of one local day as [start, end) epoch milliseconds. */
export function windowsOn(cal: BusinessCalendar, day: DateTime): Array<[number, number]> {
  const windows = cal.weeklyHours[String(day.weekday) as IsoWeekday] ?? [];
  if (!windows.length || isHoliday(cal, day)) return [];
  const midnight = day.startOf('day');
  // Local wall-clock times; a time inside a DST gap (02:30 in March) moves forward, as luxon does.
  const at = (minutes: number) =>
    minutes >= 1440
      ? midnight.plus({ days: 1 }).toMillis()
      : DateTime.fromObject(
          { year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
          { zone: cal.timeZone },
        ).toMillis();
  return windows
    .map(([s, e]) => [at(minutesOf(s)), at(minutesOf(e))] as [number, number])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
}

/** A local day of a calendar, its windows, and the next day once asked for (linked, cached). */
interface DayRecord {
  start: DateTime;
  /** The day as [startMs, endMs) epoch milliseconds (23 or 25 h long across a DST switch). */
  startMs: number;
  endMs: number;
  windows: Array<[number, number]>;
  next?: DayRecord;
}

interface CalendarDays {
  byIso: Map<string, DayRecord>;
  /** The same records ordered by startMs: the day an instant falls on is a binary search. */
  ordered: DayRecord[];
}

/**
 * Days are the same for every ticket: built once per calendar (by its content) and day, so a
 * due time costs a few lookups instead of a dozen luxon constructions per day (1.6 ms per
 * submitted ticket before this, measured). Finding the day an instant falls on costs luxon three
 * time-zone offset computations (Intl): a day already built answers by binary search instead (the
 * inbound worker computes due times from each ticket's creation and the mail's arrival).
 */
const dayCache = new Map<string, CalendarDays>();
const MAX_CACHED_DAYS = 5_000;

function dayRecords(cal: BusinessCalendar): CalendarDays {
  const key = JSON.stringify(cal);
  let days = dayCache.get(key);
  if (!days || days.byIso.size > MAX_CACHED_DAYS) {
    if (dayCache.size > 16) dayCache.clear();
    days = { byIso: new Map(), ordered: [] };
    dayCache.set(key, days);
  }
  return days;
}

function record(cal: BusinessCalendar, days: CalendarDays, start: DateTime): DayRecord {
  const iso = start.toISODate()!;
  let rec = days.byIso.get(iso);
  if (!rec) {
    rec = {
      start,
      startMs: start.toMillis(),
      endMs: start.plus({ days: 1 }).toMillis(),
      windows: windowsOn(cal, start),
    };
    days.byIso.set(iso, rec);
    days.ordered.splice(firstStartingAfter(days.ordered, rec.startMs), 0, rec);
  }
  return rec;
}

/** Index of the first record that starts after `ms` (records.length when none does). */
function firstStartingAfter(records: readonly DayRecord[], ms: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid]!.startMs <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The day `instant` falls on: a built one when there is, else built now. */
function dayOf(cal: BusinessCalendar, days: CalendarDays, instant: number): DayRecord {
  const built = days.ordered[firstStartingAfter(days.ordered, instant) - 1];
  if (built && instant < built.endMs) return built;
  return record(cal, days, DateTime.fromMillis(instant, { zone: cal.timeZone }).startOf('day'));
}

function* daysFrom(cal: BusinessCalendar, instant: number): Generator<DayRecord> {
  const days = dayRecords(cal);
  let rec = dayOf(cal, days, instant);
  for (let i = 0; i < MAX_DAYS; i++) {
    yield rec;
    rec = rec.next ??= record(cal, days, rec.start.plus({ days: 1 }));
  }
  throw new Error(`the SLA calendar has no open time within ${MAX_DAYS} days`);
}

/** The instant `minutes` business minutes after `start` (start itself when minutes is 0). */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  let remaining = Math.round(minutes * 60_000);
  const from = start.getTime();
  if (remaining <= 0) return new Date(from);
  for (const day of daysFrom(cal, from)) {
    for (const [ws, we] of day.windows) {
      const s = Math.max(ws, from);
      if (s >= we) continue;
      if (remaining <= we - s) return new Date(s + remaining);
      remaining -= we - s;
    }
  }
  throw new Error('unreachable');
}

/** Business milliseconds in [a, b) (0 when b <= a). */
export function businessMsBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to <= from) return 0;
  let total = 0;
  for (const day of daysFrom(cal, from)) {
    if (day.startMs >= to) break;
    for (const [ws, we] of day.windows) total += Math.max(0, Math.min(we, to) - Math.max(ws, from));
  }
  return total;
}

/** Countries and regions date-holidays knows (calendar validation). */
export function knownHolidayRegion(country: string, region: string | null): boolean {
  const hd = new Holidays();
  if (!Object.prototype.hasOwnProperty.call(hd.getCountries() ?? {}, country)) return false;
  return !region || Object.prototype.hasOwnProperty.call(hd.getStates(country) ?? {}, region);
}
