/** Times for publishing later, as the person reads and writes them. Pure: the client's unit tests run
 * it without a browser. */

export const AT_LEAST_MS = 60_000;
export const AT_MOST_DAYS = 90;
export const DAY_MS = 86_400_000;

/** "2030-06-02T18:00" (a datetime-local value, the person's own time) → "2030-06-02T16:00:00.000Z". */
export function toUtc(local: string): string | null {
  if (!local) return null;
  const at = new Date(local); // a date-time without an offset is read as local time
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/** A moment as a datetime-local input shows it, in the person's own time, to the minute. */
export function toLocalInput(at: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** What is wrong with the chosen time, if anything (empty: publish as soon as it is ready). The
 * server holds the same rules and says so when it refuses. */
export function scheduleProblem(local: string, now: number = Date.now()): string | null {
  if (!local) return null;
  const utc = toUtc(local);
  if (!utc) return "Choose a date and a time";
  const at = Date.parse(utc);
  if (at < now + AT_LEAST_MS) return "Choose a time at least a minute from now, or leave it empty to publish now";
  if (at > now + AT_MOST_DAYS * DAY_MS) return `Choose a time within ${AT_MOST_DAYS} days`;
  return null;
}

/** "2 Jun 2030, 18:00" in the person's own language and time zone. */
export function formatWhen(iso: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}

export function scheduledText(iso: string, locale?: string, timeZone?: string): string {
  return `Scheduled for ${formatWhen(iso, locale, timeZone)}`;
}
