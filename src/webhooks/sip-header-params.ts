// RestComm-Connect hands the SMSC's SIP headers to the application as `SipHeader_<Name>` parameters, one per
// header whose name starts with `X-`, the name kept exactly as received (spec restcomm-connect-sms.md §3.3).
// We add them to every inbound webhook, beside Twilio's parameters, so that apps written for RestComm find
// X-SMSC-ID, X-SMS-CODING, X-SMS-UDH… where they look; they are signed with the rest.
// Pure: headers in, parameters out.

export const SIP_HEADER_PARAM_PREFIX = 'SipHeader_';

export function sipHeaderParams(headers: Readonly<Record<string, string>> | null | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (/^x-/i.test(name)) params[`${SIP_HEADER_PARAM_PREFIX}${name}`] = value;
  }
  return params;
}

/** The SMPP road has no SIP headers; these are the same facts, under the names the SMSC would give them. */
export function smppXHeaders(options: { systemId: string; coding: number; udhHex: string | null }): Record<string, string> {
  return {
    'X-SMSC-ID': options.systemId,
    'X-SMS-CODING': String(options.coding),
    ...(options.udhHex === null ? {} : { 'X-SMS-UDH': options.udhHex }),
  };
}
