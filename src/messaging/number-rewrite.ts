// Number rewriting per road, as RestComm's `sms-aggregator/outbound-prefix` allows and more: one rule list,
// configured once (SMSC_NUMBER_REWRITE), applied to addresses going out AND coming in, so that a reply to an
// inbound From goes back to the number the handset really has. Pure.
//
// A rule `<road>:<e164 prefix>=<wire prefix>` says: on that road, an E.164 address starting with the first
// prefix is written with the second instead, and a wire address starting with the second is read back with
// the first. `sip:+44=0` sends +447700900123 as 07700900123 and reads 07700900123 as +447700900123;
// `sip:+=99` (RestComm's outbound-prefix 99) sends +447700900123 as 99447700900123. The longest matching prefix
// wins in each direction; alphanumeric senders are never rewritten.

export type Road = 'sip' | 'smpp';

export interface RewriteRule {
  road: Road;
  /** Starts with `+`: `+44`, or `+` alone for every number. */
  e164Prefix: string;
  /** Digits (possibly none): what the road carries instead. */
  wirePrefix: string;
}

export class RewriteRuleError extends Error {
  override readonly name = 'RewriteRuleError';
}

export function parseRewriteRules(text: string): RewriteRule[] {
  const rules: RewriteRule[] = [];
  for (const raw of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const match = /^(sip|smpp):(\+\d{0,14})=(\d{0,15})$/.exec(raw);
    if (!match) throw new RewriteRuleError(`"${raw}" is not <sip|smpp>:+<digits>=<digits> (e.g. sip:+44=0)`);
    rules.push({ road: match[1] as Road, e164Prefix: match[2]!, wirePrefix: match[3]! });
  }
  return rules;
}

const longestFirst = (key: (rule: RewriteRule) => string) => (a: RewriteRule, b: RewriteRule) => key(b).length - key(a).length;

/** An outgoing E.164 address as the road should carry it (unchanged when no rule matches). */
export function rewriteOutbound(rules: readonly RewriteRule[], road: Road, address: string): string {
  if (!/^\+\d+$/.test(address)) return address;
  const rule = rules.filter((r) => r.road === road && address.startsWith(r.e164Prefix)).sort(longestFirst((r) => r.e164Prefix))[0];
  return rule ? `${rule.wirePrefix}${address.slice(rule.e164Prefix.length)}` : address;
}

/** An incoming wire address (digits, maybe with `+`) as E.164 (unchanged when no rule matches). */
export function rewriteInbound(rules: readonly RewriteRule[], road: Road, address: string): string {
  if (!/^\d+$/.test(address)) return address;
  const rule = rules
    .filter((r) => r.road === road && address.startsWith(r.wirePrefix) && !(r.e164Prefix === '+' && r.wirePrefix === ''))
    .sort(longestFirst((r) => r.wirePrefix))[0];
  return rule ? `${rule.e164Prefix}${address.slice(rule.wirePrefix.length)}` : address;
}
