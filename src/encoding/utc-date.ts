/** Calendar validation shared by the receipt-date and SMSC-date parsers. */

/** A UTC Date from calendar fields, or null when any field is out of range (no Feb 30, no hour 24). */
export function utcDate(fields: readonly [number, number, number, number, number, number]): Date | null {
  const [year, month, day, hour, minute, second] = fields;
  if (hour > 23 || minute > 59 || second > 59 || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC maps years 0..99 to 1900..1999; the field check below catches that as well as day overflow.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date;
}
