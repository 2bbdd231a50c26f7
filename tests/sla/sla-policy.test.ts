// The SLA arithmetic, table-driven with fixed instants: business-hours addition across weekends,
// holidays (date-holidays country / region and an explicit list) and both DST switches of
// Europe/Berlin (last Sunday of March and of October), and computeSla's pauses, stops and
// first-response rule. No database: the function is pure.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { addBusinessMinutes, businessMsBetween, type BusinessCalendar } from '../../src/sla/business-hours.js';
import {
  computeSla,
  currentClock,
  describeClock,
  pickPolicy,
  type SlaEvent,
  type SlaPolicyRow,
} from '../../src/sla/sla.policy.js';

const OFFICE: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  weeklyHours: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [['09:00', '17:00']]])),
  holidayCountry: 'DE',
  holidayRegion: null,
  holidays: [],
};
const ALWAYS: BusinessCalendar = {
  ...OFFICE,
  holidayCountry: null,
  weeklyHours: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [['00:00', '24:00']]])),
};
const d = (s: string) => new Date(s);

describe('business hours', () => {
  const cases: Array<[name: string, cal: BusinessCalendar, start: string, minutes: number, expected: string]> = [
    ['within one day', OFFICE, '2026-03-02T10:00:00+01:00', 60, '2026-03-02T11:00:00+01:00'],
    ['before opening: counts from 09:00', OFFICE, '2026-03-02T07:00:00+01:00', 30, '2026-03-02T09:30:00+01:00'],
    ['Friday afternoon over the weekend', OFFICE, '2026-03-06T16:30:00+01:00', 60, '2026-03-09T09:30:00+01:00'],
    ['submitted on a Saturday', OFFICE, '2026-03-07T12:00:00+01:00', 60, '2026-03-09T10:00:00+01:00'],
    ['exactly to closing time', OFFICE, '2026-03-02T16:00:00+01:00', 60, '2026-03-02T17:00:00+01:00'],
    ['three business days', OFFICE, '2026-03-04T13:00:00+01:00', 1440, '2026-03-09T13:00:00+01:00'],
    // Karfreitag (Fri 3 Apr) and Ostermontag (Mon 6 Apr) are German public holidays.
    ['over Easter (two holidays and a weekend)', OFFICE, '2026-04-02T16:00:00+02:00', 120, '2026-04-07T10:00:00+02:00'],
    // 29 March 2026: clocks go from 02:00 CET to 03:00 CEST. Monday opens at 09:00 local = 07:00Z.
    ['over the March DST switch', OFFICE, '2026-03-27T16:00:00+01:00', 120, '2026-03-30T10:00:00+02:00'],
    // 25 October 2026: clocks go from 03:00 CEST back to 02:00 CET.
    ['over the October DST switch', OFFICE, '2026-10-23T16:00:00+02:00', 120, '2026-10-26T10:00:00+01:00'],
    // A 24/7 calendar counts real time: 24 business hours across the short day are 24 real hours.
    ['24/7 across the March switch (23 h day)', ALWAYS, '2026-03-28T12:00:00+01:00', 1440, '2026-03-29T13:00:00+02:00'],
    [
      '24/7 across the October switch (25 h day)',
      ALWAYS,
      '2026-10-24T12:00:00+02:00',
      1440,
      '2026-10-25T11:00:00+01:00',
    ],
    [
      'an explicit holiday',
      { ...OFFICE, holidayCountry: null, holidays: ['2026-03-03'] },
      '2026-03-02T16:00:00+01:00',
      120,
      '2026-03-04T10:00:00+01:00',
    ],
    // Heilige Drei Könige (6 Jan) is a holiday in Bavaria, not nationwide.
    [
      'a regional holiday (DE-BY)',
      { ...OFFICE, holidayRegion: 'BY' },
      '2026-01-05T16:00:00+01:00',
      120,
      '2026-01-07T10:00:00+01:00',
    ],
    ['the same day without the region', OFFICE, '2026-01-05T16:00:00+01:00', 120, '2026-01-06T10:00:00+01:00'],
    [
      'split windows (lunch break)',
      {
        ...OFFICE,
        weeklyHours: {
          '1': [
            ['13:00', '17:00'],
            ['09:00', '12:00'],
          ],
        },
      },
      '2026-03-02T11:00:00+01:00',
      120,
      '2026-03-02T14:00:00+01:00',
    ],
  ];
  for (const [name, cal, start, minutes, expected] of cases) {
    test(`when ${minutes} business minutes are added ${name}, then the due time is ${expected}`, () => {
      assert.equal(addBusinessMinutes(cal, d(start), minutes).toISOString(), d(expected).toISOString());
    });
  }

  test('when business time between two instants is measured, then only open hours count', () => {
    // Fri 16:00 → Mon 10:00: one hour on Friday, one on Monday.
    assert.equal(businessMsBetween(OFFICE, d('2026-03-06T16:00:00+01:00'), d('2026-03-09T10:00:00+01:00')), 7_200_000);
    assert.equal(businessMsBetween(OFFICE, d('2026-03-09T10:00:00+01:00'), d('2026-03-06T16:00:00+01:00')), 0);
  });

  test('when instants come in any order across days and a DST switch, then each is measured as minute by minute', () => {
    // The day an instant falls on is remembered between calls (business-hours.ts): instants going
    // back, forward, and across the March switch (Sun 29 Mar 2026, 23 h) must not reuse a wrong day.
    // Reference: every minute of [a, b) checked on its own, in local time with luxon.
    const NIGHT_SHIFT: BusinessCalendar = {
      ...OFFICE,
      holidayCountry: null,
      weeklyHours: Object.fromEntries(
        ['1', '2', '3', '4', '5', '6', '7'].map((day) => [
          day,
          [
            ['00:30', '03:30'],
            ['22:00', '24:00'],
          ],
        ]),
      ),
    };
    const open = (ms: number) => {
      const local = DateTime.fromMillis(ms, { zone: 'Europe/Berlin' });
      const minutes = local.hour * 60 + local.minute;
      return (minutes >= 30 && minutes < 210) || minutes >= 1320;
    };
    const base = d('2026-03-27T00:00:00+01:00').getTime();
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 40; i++) {
      const a = base + Math.floor(random() * 4 * 1440) * 60_000;
      const b = a + Math.floor(random() * 2 * 1440) * 60_000;
      let expected = 0;
      for (let t = a; t < b; t += 60_000) if (open(t)) expected += 60_000;
      assert.equal(
        businessMsBetween(NIGHT_SHIFT, new Date(a), new Date(b)),
        expected,
        `${new Date(a).toISOString()} → ${new Date(b).toISOString()}`,
      );
      if (expected > 0) {
        assert.equal(addBusinessMinutes(NIGHT_SHIFT, new Date(a), expected / 60_000).getTime() <= b, true);
        assert.equal(
          businessMsBetween(NIGHT_SHIFT, new Date(a), addBusinessMinutes(NIGHT_SHIFT, new Date(a), expected / 60_000)),
          expected,
        );
      }
    }
  });

  test('when a calendar has no open hours, then adding time fails instead of looping', () => {
    assert.throws(
      () => addBusinessMinutes({ ...OFFICE, weeklyHours: {} }, d('2026-03-02T10:00:00Z'), 60),
      /no open time/,
    );
  });
});

describe('computeSla', () => {
  const URGENT = { firstResponseMinutes: 60, resolutionMinutes: 240 };
  const created = d('2026-03-02T09:00:00+01:00'); // a Monday
  const ev = (type: SlaEvent['type'], at: string): SlaEvent => ({ type, at: d(at) });
  const iso = (x: Date | null) => x?.toISOString() ?? null;
  const cases: Array<{
    name: string;
    events: SlaEvent[];
    now: string;
    fr: string;
    frAt: string | null;
    res: string;
    paused: string | null;
  }> = [
    {
      name: 'nothing happened yet: both clocks run from creation',
      events: [],
      now: '2026-03-02T09:30:00+01:00',
      fr: '2026-03-02T10:00:00+01:00',
      frAt: null,
      res: '2026-03-02T13:00:00+01:00',
      paused: null,
    },
    {
      name: 'we replied: first response recorded, resolution paused (projected from the pause)',
      events: [ev('staff_reply', '2026-03-02T10:00:00+01:00')],
      now: '2026-03-03T12:00:00+01:00',
      fr: '2026-03-02T10:00:00+01:00',
      frAt: '2026-03-02T10:00:00+01:00',
      res: '2026-03-02T13:00:00+01:00',
      paused: '2026-03-02T10:00:00+01:00',
    },
    {
      name: 'the customer answered the next morning: the clock resumes with 3 h left',
      events: [ev('staff_reply', '2026-03-02T10:00:00+01:00'), ev('customer_message', '2026-03-03T09:00:00+01:00')],
      now: '2026-03-03T09:05:00+01:00',
      fr: '2026-03-02T10:00:00+01:00',
      frAt: '2026-03-02T10:00:00+01:00',
      res: '2026-03-03T12:00:00+01:00',
      paused: null,
    },
    {
      name: 'a customer follow-up before our reply does not pause anything',
      events: [ev('customer_message', '2026-03-02T09:10:00+01:00')],
      now: '2026-03-02T09:30:00+01:00',
      fr: '2026-03-02T10:00:00+01:00',
      frAt: null,
      res: '2026-03-02T13:00:00+01:00',
      paused: null,
    },
    {
      name: 'resolved without a reply, reopened next day: closed time does not count',
      events: [ev('closed', '2026-03-02T11:00:00+01:00'), ev('reopened', '2026-03-03T09:00:00+01:00')],
      now: '2026-03-03T09:05:00+01:00',
      fr: '2026-03-02T10:00:00+01:00',
      frAt: null,
      res: '2026-03-03T11:00:00+01:00',
      paused: null,
    },
    {
      name: 'breached before the first reply: the due time is when the target was crossed',
      events: [ev('staff_reply', '2026-03-02T15:00:00+01:00')],
      now: '2026-03-02T15:30:00+01:00',
      fr: '2026-03-02T10:00:00+01:00',
      frAt: '2026-03-02T15:00:00+01:00',
      res: '2026-03-02T13:00:00+01:00',
      paused: '2026-03-02T15:00:00+01:00',
    },
    {
      name: 'a pause over the weekend and the March DST switch',
      events: [ev('staff_reply', '2026-03-27T10:00:00+01:00'), ev('customer_message', '2026-03-30T09:00:00+02:00')],
      now: '2026-03-30T09:01:00+02:00',
      fr: '2026-03-27T10:00:00+01:00', // created below at Fri 09:00
      frAt: '2026-03-27T10:00:00+01:00',
      res: '2026-03-30T12:00:00+02:00',
      paused: null,
    },
    {
      name: 'events later than now are not seen',
      events: [ev('staff_reply', '2026-03-02T12:00:00+01:00')],
      now: '2026-03-02T11:00:00+01:00',
      fr: '2026-03-02T10:00:00+01:00',
      frAt: null,
      res: '2026-03-02T13:00:00+01:00',
      paused: null,
    },
  ];
  for (const c of cases) {
    test(`when ${c.name}, then the due times follow`, () => {
      const createdAt = c.name.includes('DST') ? d('2026-03-27T09:00:00+01:00') : created;
      const s = computeSla(URGENT, OFFICE, { createdAt, events: c.events }, d(c.now));
      assert.deepEqual(
        {
          fr: iso(s.firstResponseDueAt),
          frAt: iso(s.firstResponseAt),
          res: iso(s.resolutionDueAt),
          paused: iso(s.pausedSince),
        },
        {
          fr: iso(d(c.fr)),
          frAt: c.frAt && iso(d(c.frAt)),
          res: iso(d(c.res)),
          paused: c.paused && iso(d(c.paused)),
        },
      );
    });
  }

  test('when no policy applies, then there are no due times but the first response is still recorded', () => {
    const s = computeSla(
      null,
      OFFICE,
      { createdAt: created, events: [ev('staff_reply', '2026-03-02T10:00:00+01:00')] },
      d('2026-03-03T00:00:00Z'),
    );
    assert.deepEqual(s, {
      firstResponseDueAt: null,
      firstResponseAt: d('2026-03-02T10:00:00+01:00'),
      resolutionDueAt: null,
      pausedSince: null,
    });
  });

  test('when policies are picked, then a category row wins over the priority row', () => {
    const rows: SlaPolicyRow[] = [
      { priority: 'high', category: null, firstResponseMinutes: 240, resolutionMinutes: 480 },
      { priority: 'high', category: 'abuse', firstResponseMinutes: 30, resolutionMinutes: 120 },
    ];
    assert.equal(pickPolicy(rows, 'high', 'abuse')?.firstResponseMinutes, 30);
    assert.equal(pickPolicy(rows, 'high', 'bug')?.firstResponseMinutes, 240);
    assert.equal(pickPolicy(rows, 'low', 'bug'), null);
  });

  test('when a clock is described, then it reads "Due in 2 h", "Breached 3 h ago" or paused', () => {
    const base = { status: 'in_progress', slaFirstResponseAt: null, slaResolutionDueAt: null, slaPausedSince: null };
    const now = d('2026-03-02T10:00:00Z');
    assert.equal(
      describeClock(currentClock({ ...base, slaFirstResponseDueAt: d('2026-03-02T12:00:00Z') }, now)),
      'Due in 2 h',
    );
    assert.equal(
      describeClock(currentClock({ ...base, slaFirstResponseDueAt: d('2026-03-02T07:00:00Z') }, now)),
      'Breached 3 h ago',
    );
    const answered = {
      ...base,
      slaFirstResponseDueAt: d('2026-03-02T07:00:00Z'),
      slaFirstResponseAt: d('2026-03-02T06:00:00Z'),
    };
    assert.equal(
      describeClock(currentClock({ ...answered, slaResolutionDueAt: d('2026-03-02T10:45:00Z') }, now)),
      'Due in 45 min',
    );
    const paused = {
      ...answered,
      slaResolutionDueAt: d('2026-03-02T08:00:00Z'),
      slaPausedSince: d('2026-03-02T06:00:00Z'),
    };
    assert.equal(describeClock(currentClock(paused, now)), 'Paused (waiting on customer)');
  });
});
