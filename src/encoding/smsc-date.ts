/**
 * The Restcomm SMSC's date headers, X-SMS-VALIDITY and X-DELIVERY_TIME (smsc-sip-interface.md §8).
 * Documented form: `yyyy-mm-dd hh:mm:ss`. What the SMSC really emits comes from Java
 * SimpleDateFormat("yyyyy-mm-dd hh:mm:ss"): a 5-digit year, MINUTES where the month should be, and a 12-hour
 * clock without AM/PM, e.g. 2024-06-15 14:37:05 -> `02024-37-15 02:37:05`. The month and the half of the day
 * are simply not there, so that form is returned as the fields it does carry; no month is ever guessed.
 */
import { utcDate } from './utc-date.js';

export type SmscDate =
  | { kind: 'exact'; date: Date }
  | { kind: 'partial'; year: number; day: number; hour12: number; minute: number; second: number };

const EXACT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const BROKEN = /^(\d{5})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Parses either form; null for anything else. Never throws. */
export function parseSmscDate(value: string): SmscDate | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  const exact = EXACT.exec(trimmed);
  if (exact !== null) {
    const [year, month, day, hour, minute, second] = exact.slice(1).map(Number) as [
      number, number, number, number, number, number,
    ];
    // The documented form is read as UTC on a 24-hour clock.
    const date = utcDate([year, month, day, hour, minute, second]);
    return date === null ? null : { kind: 'exact', date };
  }
  const broken = BROKEN.exec(trimmed);
  if (broken === null) return null;
  const [year, minuteInMonthField, day, hour12, minute, second] = broken.slice(1).map(Number) as [
    number, number, number, number, number, number,
  ];
  // Java writes the minutes twice; if they disagree this is not the SMSC's output, so do not pick one.
  // hh is 1..12 when Java formats it; 0 is accepted because Java's lenient parser accepts it too.
  const plausible =
    minuteInMonthField === minute && day >= 1 && day <= 31 && hour12 <= 12 && minute <= 59 && second <= 59;
  return plausible ? { kind: 'partial', year, day, hour12, minute, second } : null;
}
