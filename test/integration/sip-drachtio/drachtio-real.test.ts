// Interop with a REAL drachtio-server, opt-in: the shared SIP contract suite (the same one the native adapter
// passes, with sipp as the peer on 127.0.0.1) runs only when DRACHTIO_URL is set, e.g.
//   DRACHTIO_URL=drachtio://cymru@127.0.0.1:9022 npx vitest run --project integration test/integration/sip-drachtio
// Without it vitest reports every test here as skipped, never passed.
//
// drachtio-server must have a SIP listener on 127.0.0.1 (peers are sent there; the adapter reports it through
// boundAddresses()). DRACHTIO_TRANSPORTS=udp,tcp selects transports (default udp). The suite's shrunk T1/T2/T4
// cannot reach the server's timers, so a silent peer takes Timer F (32 s by default) to give the local 408.
import { describe } from 'vitest';
import { createDrachtioSipAdapter } from '../../../src/sip/drachtio/index.js';
import { describeSipContract } from '../sip/sip-contract.js';

const DRACHTIO_URL = process.env.DRACHTIO_URL;
const TRANSPORTS = (process.env.DRACHTIO_TRANSPORTS ?? 'udp').split(',').map((t) => t.trim()).filter((t): t is 'udp' | 'tcp' => t === 'udp' || t === 'tcp');

describe.skipIf(DRACHTIO_URL === undefined)('drachtio adapter against a real drachtio-server (interop)', () => {
  // `listen` and `timers` are the native adapter's knobs; for drachtio both live in drachtio.conf.xml.
  describeSipContract(
    'drachtio',
    () => createDrachtioSipAdapter({ url: DRACHTIO_URL ?? '', secret: process.env.DRACHTIO_SECRET }),
    { transports: TRANSPORTS, silenceTimeoutMs: 40_000 },
  );
});
