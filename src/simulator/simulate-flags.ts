// The flags of `smsc-connect simulate`, kept beside the simulator (the CLI table imports only this small object,
// so `--help` does not load the simulator). Parsed by cli-options.ts; documented in docs/simulator.md.
import type { CommandOption } from '../cli/command.js';

export const SIMULATE_FLAGS: Readonly<Record<string, CommandOption>> = {
  'sip-listen': { type: 'string', valueName: 'LIST', description: 'SIP listen addresses, e.g. udp:127.0.0.1:5060,tcp:127.0.0.1:5060 (default udp:127.0.0.1:5060).' },
  service: { type: 'string', valueName: 'URI', description: 'Where MO and receipts go (our service), e.g. sip:127.0.0.1:5070;transport=udp (the default).' },
  policy: { type: 'string', valueName: 'P', description: 'Answer to MESSAGEs: 200 (default), any final status (500, 480 ...), silence, or mix:200=90,500=5,silence=5.' },
  'latency-ms': { type: 'string', valueName: 'MS', description: 'Delay before answering: N, or a range MIN-MAX (default 0).' },
  'receipt-delay-ms': { type: 'string', valueName: 'MS', description: 'Delay between storing a message and its receipt (default 1000).' },
  receipt: { type: 'string', valueName: 'R', description: 'Receipt outcome: delivered (default), undelivered, or mix:<delivered percent>, e.g. mix:90.' },
  'receipt-err': { type: 'string', valueName: 'N', description: 'err: of UNDELIV receipts for simulated handset failures (default 1).' },
  'smpp-listen': { type: 'string', valueName: 'HOST:PORT', description: 'Also run the SMPP server side (binds 127.0.0.1; port 0 = any).' },
  'smpp-account': { type: 'string', valueName: 'LIST', description: 'SMPP accounts, comma-separated system_id:password[:sip|simulated]; sip (default) forwards submits to the service as MO, simulated answers them like an SMSC for our own ESME.' },
  'smpp-message-ids': { type: 'string', valueName: 'STYLE', description: 'SMPP message ids: padded (default, 10 digits), decimal (1, 2, ...) or hex (hex ids, the receipt text quoting them in decimal).' },
  control: { type: 'string', valueName: 'HOST:PORT', description: 'Local control API: POST /mo, POST /smpp-mo, POST /policy, POST /receipts, GET /received, GET /stats.' },
  'mo-from': { type: 'string', valueName: 'NUMBER', description: 'Sender of the MO load.' },
  'mo-to': { type: 'string', valueName: 'NUMBER', description: 'Destination of the MO load (our service\'s number, digits only).' },
  'mo-text': { type: 'string', valueName: 'TEXT', description: 'Text of the MO load (long texts are segmented like the SMSC does).' },
  'mo-count': { type: 'string', valueName: 'N', description: 'Number of MO messages to send at start (prints their stats as JSON).' },
  'mo-rate': { type: 'string', valueName: 'R', description: 'MO messages started per second (default 10).' },
  'exit-after-mo': { type: 'boolean', description: 'Exit once the MO load has finished instead of running until SIGINT/SIGTERM.' },
  'echo-receiver': { type: 'string', valueName: 'HOST:PORT', description: 'Also run the demo echo receiver (webhooks: TwiML echo; status callbacks: 204).' },
  'auth-token': { type: 'string', valueName: 'TOKEN', description: 'Echo receiver: the account auth token used to check X-Twilio-Signature (403 when wrong).' },
  reply: { type: 'string', valueName: 'echo|none', description: 'Echo receiver: reply to inbound SMS with <Message>Echo: {Body}</Message> (echo, default) or an empty <Response/>.' },
  'lean-http': { type: 'boolean', description: 'Serve the control API and the echo receiver on a minimal HTTP/1.1 framing (Content-Length bodies, keep-alive) instead of node:http: a fraction of the CPU per request, for benchmarks. Chunked request bodies get 501.' },
  'echo-only': { type: 'boolean', description: 'Run only the echo receiver, no SMSC simulator.' },
};
