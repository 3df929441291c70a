// The Restcomm SMSC writes X-DELIVERY_TIME and X-SMS-VALIDITY with Java SimpleDateFormat("yyyyy-mm-dd hh:mm:ss")
// (smsc-sip-interface.md §8). The pattern is wrong but it is what the wire carries, so the simulator reproduces it:
// a 5-digit year, MINUTES where the month should be, the day of month, a 1-12 hour without AM/PM, minutes, seconds.
// 2024-06-15 14:37:05 -> `02024-37-15 02:37:05`. Only UTC is supported (the SMSC JVM's zone in our deployments).

/** `yyyyy-mm-dd hh:mm:ss` exactly as the SMSC's faulty SimpleDateFormat renders `date` in UTC. */
export function formatSmscDate(date: Date, options: { timeZone?: 'UTC' } = {}): string {
  void options.timeZone; // UTC is the only zone; the option documents that choice at call sites.
  if (Number.isNaN(date.getTime())) throw new RangeError('Cannot format an invalid date');
  const two = (value: number): string => String(value).padStart(2, '0');
  const minutes = two(date.getUTCMinutes());
  // Java `hh` is the 1-12 clock hour: midnight and noon are 12, never 00.
  const hour12 = date.getUTCHours() % 12 === 0 ? 12 : date.getUTCHours() % 12;
  const year = String(date.getUTCFullYear()).padStart(5, '0');
  return `${year}-${minutes}-${two(date.getUTCDate())} ${two(hour12)}:${minutes}:${two(date.getUTCSeconds())}`;
}
