// SMPP road to the SMSC and routing: which road a message takes by default, the ESME binds, and how submit_sm is
// built. Binds are one list of URLs (SMPP_BINDS) so that several sessions, to one SMSC or several, are one
// variable; the other SMPP_* variables apply to every bind unless its URL overrides them.
import Type from 'typebox';

export const smppSchema = {
  SMSC_DEFAULT_ROUTE: Type.Enum(['sip', 'smpp'], {
    default: 'sip',
    description:
      'Road of a message whose sending number and account choose none (`SmscRoute` on IncomingPhoneNumbers and ' +
      'Accounts): `sip` (SIP MESSAGE) or `smpp` (submit_sm). `smpp` requires `SMPP_BINDS`.',
  }),
  SMPP_BINDS: Type.Optional(
    Type.String({
      'x-secret': true,
      description:
        'Comma-separated ESME binds (bind_transceiver, interface_version 0x34): ' +
        '`smpp://system_id:password@host[:port][?system_type=X&tls=0|1&window=N]` (port 2775 by default; ' +
        '`smpps://` is the same as `tls=1`; percent-encode `@ : , /` in credentials). Traffic is spread across ' +
        'the bound sessions. Unset = no SMPP road.',
    }),
  ),
  SMPP_LONG_MESSAGES: Type.Enum(['udh', 'payload'], {
    default: 'udh',
    description:
      'How a text longer than one SMS is submitted: `udh` (one submit_sm per part, each with a concatenation UDH ' +
      'and its own SMSC message id) or `payload` (one submit_sm with the whole text in `message_payload`).',
  }),
  SMPP_BODY_ENCODING: Type.Enum(['gsm7', 'utf-8', 'ucs2'], {
    default: 'utf-8',
    description:
      'Bytes of text for data_coding 0 and 8, both ways: `utf-8` (the Restcomm SMSC default), `gsm7` (GSM 03.38 ' +
      'unpacked for 0, UCS-2 for 8: plain SMPP 3.4) or `ucs2` (UTF-16BE for both).',
  }),
  SMPP_WINDOW: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 10,
    description: 'Most submit_sm awaiting their submit_sm_resp per bind; more wait in a queue (a bind URL may set `window`).',
  }),
  SMPP_REQUEST_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 300_000,
    default: 10_000,
    description:
      'How long a submit_sm or enquire_link waits for its response; also how long a submit may wait for a window ' +
      'slot. A timed-out submit is retried later (it may have been accepted: a possible duplicate).',
  }),
  SMPP_ENQUIRE_LINK_S: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 30,
    description: 'Seconds between our enquire_link requests; an unanswered one drops the session, which is re-bound.',
  }),
  SMPP_MO_DEDUPE_S: Type.Integer({
    minimum: 0,
    maximum: 259_200,
    default: 0,
    description:
      'Inbound deliver_sm carry no id, so an SMSC that re-delivers after a lost deliver_sm_resp sends a copy. When ' +
      'above 0, an identical MO (same SMSC account, addresses and bytes) within this many seconds is acknowledged ' +
      'and not stored again; 0 keeps every copy (a genuine repeat is never dropped).',
  }),
};
