/** Injected everywhere time matters (ticket numbering per UTC day, rate-limit windows, tokens). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
