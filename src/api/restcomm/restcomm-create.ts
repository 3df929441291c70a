// RestComm-Connect's create parameters (spec §1.2) as our create parameters. The required-field texts are
// RestComm's own; everything else is then validated by the same rules as a Twilio-API send
// (messaging/outbound-draft.ts), so a RestComm app cannot send what a Twilio app may not.
import type { CreateMessageParams } from '../../messaging/outbound-draft.js';
import { RestcommError } from './restcomm-response.js';

export type RestcommForm = Record<string, unknown>;

function field(form: RestcommForm, name: string): string | undefined {
  const value = form[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new RestcommError(400, `${name} must be given once`);
  return value;
}

/** RestComm's `Encoding`: GSM (default), UCS-2 or UTF-8, `_` for `-` accepted; case-sensitive as in RestComm. */
function coding(text: string | undefined): CreateMessageParams['SmscCoding'] {
  if (text === undefined || text === '' || text === 'GSM') return undefined;
  if (['UCS-2', 'UCS_2', 'UTF-8', 'UTF_8'].includes(text)) return 'ucs2';
  throw new RestcommError(400, `Encoding must be GSM, UCS-2 or UTF-8, not ${text}`);
}

export function restcommCreateParams(form: RestcommForm): CreateMessageParams {
  const from = field(form, 'From');
  if (from === undefined) throw new RestcommError(400, 'From can not be null.');
  const rawTo = field(form, 'To');
  if (rawTo === undefined) throw new RestcommError(400, 'To can not be null.');
  const body = field(form, 'Body');
  if (body === undefined) throw new RestcommError(400, 'Body can not be null.');
  const statusCallback = field(form, 'StatusCallback');
  const smscCoding = coding(field(form, 'Encoding'));
  return {
    From: from,
    // RestComm strips `client:` to address one of its SIP clients; here the rest must be a number.
    To: rawTo.startsWith('client:') ? rawTo.slice('client:'.length) : rawTo,
    Body: body,
    ...(statusCallback === undefined || statusCallback === '' ? {} : { StatusCallback: statusCallback, StatusCallbackMethod: 'POST' as const }),
    ...(smscCoding === undefined ? {} : { SmscCoding: smscCoding }),
  };
}
