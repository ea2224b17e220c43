import { formatDate } from './format';

/**
 * **Access until** and **Guest access ends on** (SPEC §8a) are chosen as a day; access lasts through
 * that whole day in the person's own time zone, so the server is sent the moment the next day begins.
 */

/** The value of a date field (YYYY-MM-DD) for today, in local time: the earliest day one can choose. */
export function todayInput(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The moment a chosen day ends (local midnight after it), as ISO 8601; null for no day chosen. */
export function endOfChosenDay(day: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [, year, month, date] = match.map(Number) as [number, number, number, number];
  return new Date(year, month - 1, date + 1).toISOString();
}

/** The day an end moment falls at the end of, for a date field (the inverse of endOfChosenDay). */
export function chosenDayOf(endIso: string): string {
  return todayInput(new Date(new Date(endIso).getTime() - 1));
}

/** How an end reads in a list: "until 10 Dec 2026" (the last day with access). */
export function lastDayText(endIso: string): string {
  return formatDate(new Date(new Date(endIso).getTime() - 1).toISOString());
}
