// Twilio's JSON dates: RFC 2822 with a literal "+0000" (e.g. "Thu, 24 Aug 2023 05:01:45 +0000"), which is
// what twilio-node parses back into a Date.
export function toTwilioDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export function toTwilioDateOrNull(date: Date | null): string | null {
  return date === null ? null : toTwilioDate(date);
}
