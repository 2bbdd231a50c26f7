// The panel's one date format: an age ("3 h ago", "in 2 h") with the absolute date on hover, in
// the moderator's time zone (their profile's list preference, else the browser's). The list
// stores the preference here when it loads it; other pages read the stored value.
const STORAGE_KEY = 'contactdesk.timeZone';

let zone: string | undefined;

export function setPanelTimeZone(tz: string | null): void {
  zone = tz ?? undefined;
  try {
    if (tz) window.localStorage.setItem(STORAGE_KEY, tz);
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: the zone still applies to this page
  }
}

export function panelTimeZone(): string {
  if (zone) return zone;
  try {
    zone = window.localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    zone = undefined;
  }
  return zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "3 Dec 2026, 14:05 CET": day, month name, year, 24 h time, zone — the same on every page. */
export function absoluteDate(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    timeZone: panelTimeZone(),
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", "4 mo ago"; future times as "in 2 h". */
export function relativeAge(iso: string, now: number): string {
  const diff = now - new Date(iso).getTime();
  const s = Math.round(Math.abs(diff) / 1000);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  const h = Math.round(m / 60);
  const d = Math.round(h / 24);
  const text = m < 60 ? `${m} min` : h < 24 ? `${h} h` : d < 60 ? `${d} d` : `${Math.round(d / 30)} mo`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}
