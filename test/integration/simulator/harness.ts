// A simulator wired to a native SIP adapter playing "our service", both on 127.0.0.1 with ephemeral ports and
// shrunk SIP timers. `replies` holds the statuses the service answers next (200 once the queue is empty).
import { createNativeSipAdapter, type NativeSipAdapter } from '../../../src/sip/native/index.js';
import type { IncomingSipMessage, OutgoingSipMessage, SipFinalResponse } from '../../../src/sip/port.js';
import { createSmscSimulator, type SmscSimulator } from '../../../src/simulator/index.js';
import type { SmscSimulatorOptions } from '../../../src/simulator/index.js';

export { waitFor } from '../../helpers/wait-for.js';

export const TIMERS = { t1Ms: 20, t2Ms: 80, t4Ms: 100 };

export interface Harness {
  simulator: SmscSimulator;
  service: NativeSipAdapter;
  /** MESSAGEs the service received, in arrival order. */
  inbox: IncomingSipMessage[];
  /** Statuses the service answers to the next MESSAGEs; 200 when empty. */
  replies: number[];
  /** Values the simulator's random source returns next; 0.5 when empty. */
  randoms: number[];
  simUri: string;
  servicePort: number;
  simPort: number;
  /** Sends a MESSAGE from the service to the simulator. */
  send(message: Partial<OutgoingSipMessage> & { text?: string }): Promise<SipFinalResponse>;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<SmscSimulatorOptions> = {}): Promise<Harness> {
  const service = createNativeSipAdapter({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], timers: TIMERS });
  const inbox: IncomingSipMessage[] = [];
  const replies: number[] = [];
  const randoms: number[] = [];
  service.onMessage(async (message) => {
    inbox.push(message);
    return { status: replies.shift() ?? 200 };
  });
  await service.start();
  const servicePort = service.boundAddresses()[0]!.port;
  const simulator = createSmscSimulator({
    sipListen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
    serviceUri: `sip:127.0.0.1:${servicePort};transport=udp`,
    policy: {},
    receipts: { delayMs: 10, outcome: 'delivered', retry: { attempts: 2, delayMs: 10 } },
    sipTimers: TIMERS,
    random: () => randoms.shift() ?? 0.5,
    ...overrides,
  });
  await simulator.start();
  const simPort = simulator.boundAddresses()[0]!.port;
  const simUri = `sip:127.0.0.1:${simPort}`;
  const send = (message: Partial<OutgoingSipMessage> & { text?: string }): Promise<SipFinalResponse> =>
    service.request('MESSAGE', {
      requestUri: `sip:447700900123@127.0.0.1:${simPort}`,
      from: `sip:447700900456@127.0.0.1:${servicePort}`,
      to: `sip:447700900123@127.0.0.1:${simPort}`,
      headers: [],
      contentType: 'text/plain;charset=UTF-8',
      body: Buffer.from(message.text ?? 'Hello world from the test', 'utf8'),
      ...message,
    });
  const close = async (): Promise<void> => {
    await simulator.stop();
    await service.stop();
  };
  return { simulator, service, inbox, replies, randoms, simUri, servicePort, simPort, send, close };
}


export function headerNames(message: IncomingSipMessage): string[] {
  return message.headers.map(([name]) => name);
}
