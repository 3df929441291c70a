// SMPP 3.4 §7.1 time strings ("YYMMDDhhmmsstnnp"), used by validity_period and schedule_delivery_time.
// We format and parse them ourselves because npm smpp's time filter is stripped (smpp-lib.ts): it resolves
// relative times against "now" on receive, which loses the original value.

export type SmppTime =
  | { kind: 'absolute'; date: Date }
  | { kind: 'relative'; seconds: number };

const PATTERN = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([-+R])$/;

function two(n: number): string {
  return n.toString().padStart(2, '0');
}

/** Absolute time in UTC (offset 00, sign '+'), tenths of a second from the milliseconds. */
export function formatSmppAbsoluteTime(date: Date): string {
  const tenths = Math.floor(date.getUTCMilliseconds() / 100);
  return (
    two(date.getUTCFullYear() % 100) + two(date.getUTCMonth() + 1) + two(date.getUTCDate()) +
    two(date.getUTCHours()) + two(date.getUTCMinutes()) + two(date.getUTCSeconds()) + `${tenths}00+`
  );
}

/**
 * Parses a §7.1 time. Returns null for the empty string (SMSC default). Throws RangeError on malformed input.
 * Relative times are returned as a duration; years and months count as 365 and 30 days, as SMSCs commonly do.
 */
export function parseSmppTime(value: string): SmppTime | null {
  if (value === '') return null;
  const match = PATTERN.exec(value);
  if (!match) throw new RangeError(`not an SMPP time: ${JSON.stringify(value)}`);
  const [yy, mo, dd, hh, mi, ss, t, nn, p] = match.slice(1).map((part, i) => (i === 8 ? part : Number(part))) as [
    number, number, number, number, number, number, number, number, string,
  ];
  if (p === 'R') {
    const days = yy * 365 + mo * 30 + dd;
    return { kind: 'relative', seconds: ((days * 24 + hh) * 60 + mi) * 60 + ss };
  }
  if (nn > 48) throw new RangeError(`SMPP time offset out of range: ${value}`);
  const localAsUtc = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss, t * 100);
  // 'p' says whether local time is ahead (+) or behind (-) UTC, in quarter hours.
  const offsetMs = nn * 15 * 60_000 * (p === '+' ? 1 : -1);
  return { kind: 'absolute', date: new Date(localAsUtc - offsetMs) };
}
