// Lenient parsing of the DateSent filters. Every form the Twilio spec lists is accepted; each value becomes the
// interval its precision covers ("2024-01-01" is that whole UTC day, "...T10:00:00Z" that whole second), so
// that DateSent< / DateSent> are inclusive at whatever precision the client sent.

export interface DateInterval {
  start: Date;
  /** Exclusive. */
  end: Date;
}

const DAY_MS = 86_400_000;

/** US zone abbreviations as in Twilio's examples ("06/11/2019 22:05:25 MST"), in hours east of UTC. */
const ZONE_OFFSETS: Readonly<Record<string, number>> = {
  UTC: 0, GMT: 0, Z: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7,
};

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const US = /^(\d{2})\/(\d{2})\/(\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?(?:\s+([A-Z]{1,4}))?)?$/;
const RFC2822 = /^(?:[A-Z][a-z]{2},\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s+(?:[+-]\d{4}|[A-Z]{1,4})$/;

/** Returns null when the text is not a date in any accepted form. */
export function parseDateFilter(text: string): DateInterval | null {
  const value = text.trim();
  return parseIso(value) ?? parseUs(value) ?? parseRfc2822(value);
}

function parseIso(value: string): DateInterval | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const offsetMinutes = zone === undefined || zone.toUpperCase() === 'Z' ? 0 : isoOffsetMinutes(zone);
  return build({
    year: Number(y), month: Number(mo), day: Number(d),
    time: h === undefined ? undefined : { hour: Number(h), minute: Number(mi), second: s === undefined ? undefined : Number(s), fraction: frac },
    offsetMinutes,
  });
}

function parseUs(value: string): DateInterval | null {
  const m = US.exec(value);
  if (!m) return null;
  const [, mo, d, y, h, mi, s, zone] = m;
  let offsetMinutes = 0;
  if (zone !== undefined) {
    const hours = ZONE_OFFSETS[zone];
    if (hours === undefined) return null;
    offsetMinutes = hours * 60;
  }
  return build({
    year: Number(y), month: Number(mo), day: Number(d),
    time: h === undefined ? undefined : { hour: Number(h), minute: Number(mi), second: s === undefined ? undefined : Number(s) },
    offsetMinutes,
  });
}

function parseRfc2822(value: string): DateInterval | null {
  if (!RFC2822.test(value)) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  const hasSeconds = /\d{2}:\d{2}:\d{2}/.test(value);
  return { start: new Date(ms), end: new Date(ms + (hasSeconds ? 1000 : 60_000)) };
}

function isoOffsetMinutes(zone: string): number {
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

interface Parts {
  year: number;
  month: number;
  day: number;
  time: { hour: number; minute: number; second: number | undefined; fraction?: string | undefined } | undefined;
  offsetMinutes: number;
}

function build(p: Parts): DateInterval | null {
  const t = p.time;
  const localMs = Date.UTC(p.year, p.month - 1, p.day, t?.hour ?? 0, t?.minute ?? 0, t?.second ?? 0);
  const check = new Date(localMs);
  // Date.UTC rolls 2024-02-31 over to March; a rolled-over date is not a date.
  if (check.getUTCFullYear() !== p.year || check.getUTCMonth() !== p.month - 1 || check.getUTCDate() !== p.day) return null;
  if (t && (t.hour > 23 || t.minute > 59 || (t.second ?? 0) > 59)) return null;
  const fractionMs = t?.fraction === undefined ? 0 : Math.floor(Number(t.fraction) * 1000);
  const startMs = localMs + fractionMs - p.offsetMinutes * 60_000;
  const width = t === undefined ? DAY_MS : t.fraction !== undefined ? 1 : t.second !== undefined ? 1000 : 60_000;
  return { start: new Date(startMs), end: new Date(startMs + width) };
}
