// A scripted fake of drachtio-server's admin (control) port, driven by the real drachtio-srf client code.
// It speaks the frames drachtio-srf 5.x expects (lib/drachtio-agent.js `_onMsg`, `_onConnect`, `_makeRequest`):
//   client -> server: authenticate|<secret>|<tags>, route|<verb>, ping, sip|<txnId>|<dialogId>\r\n<SIP text>
//   server -> client: <id>|response|<clientMsgId>|OK|... or NOK|<reason>
//                     <id>|sip|network|<len>|udp|<addr>|<port>|<time>|<txnId>|<dialogId>|<host>|<port>\r\n<SIP>
// It is a protocol simulation for tests, not a SIP stack: nothing is sent to any SIP peer.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { encodeFrame, FrameDecoder, parsePayload, type ParsedPayload } from './frame-codec.js';
import { buildIncomingRequest, buildResponse, completeRequest, parseSipText, type HeaderPairs, type InjectedRequest } from './fake-sip-text.js';

export const FAKE_SIP_PORT = 5060;
const PEER = { address: '127.0.0.1', port: 5070 };

export interface ClientFrame extends ParsedPayload {
  connection: number;
  /** The whole payload as received, for exact-text assertions. */
  payload: string;
}

/** A request the client asked the fake to send (`sip||` frame). */
export interface SentRequest {
  txnId: string;
  frame: ClientFrame;
  /** The SIP text as it would have gone on the wire (completed like drachtio-server does). */
  wire: string;
}

export type RequestBehaviour =
  | { kind: 'respond'; status: number; reason: string; headers?: HeaderPairs; sameChunk?: boolean }
  | { kind: 'silent' }
  | { kind: 'refuse'; reason: string };

export interface FakeDrachtioServerOptions {
  secret: string;
  /** What to do with each `sip||` request. Default: answer 200 OK in a separate chunk. */
  onRequest?: (request: SentRequest) => RequestBehaviour;
}

interface Connection {
  id: number;
  socket: net.Socket;
  authenticated: boolean;
  /** Verbs this client asked for with `route|<verb>`; like drachtio-server, requests go only to such clients. */
  routes: Set<string>;
}

type Waiter = { match: (frame: ClientFrame) => boolean; resolve: (frame: ClientFrame) => void };

export class FakeDrachtioServer {
  readonly frames: ClientFrame[] = [];
  readonly sentRequests: SentRequest[] = [];
  onRequest: (request: SentRequest) => RequestBehaviour;
  private readonly secret: string;
  private readonly connections = new Set<Connection>();
  private waiters: Waiter[] = [];
  private server: net.Server | undefined;
  private nextConnectionId = 1;
  private cseq = 1;
  private boundPort = 0;

  private constructor(options: FakeDrachtioServerOptions) {
    this.secret = options.secret;
    this.onRequest = options.onRequest ?? (() => ({ kind: 'respond', status: 200, reason: 'OK' }));
  }

  static async start(options: FakeDrachtioServerOptions & { port?: number }): Promise<FakeDrachtioServer> {
    const fake = new FakeDrachtioServer(options);
    await fake.listen(options.port ?? 0);
    return fake;
  }

  get port(): number {
    return this.boundPort;
  }

  /** `drachtio://<secret>@127.0.0.1:<port>`, the adapter's URL format. */
  url(secret: string = this.secret): string {
    return `drachtio://${encodeURIComponent(secret)}@127.0.0.1:${this.boundPort}`;
  }

  get authenticatedConnections(): number {
    return [...this.connections].filter((c) => c.authenticated).length;
  }

  /** Connections that have routed `verb` (e.g. 'message'). */
  routedConnections(verb: string): number {
    return [...this.connections].filter((c) => c.routes.has(verb)).length;
  }

  /** Resolve with the first frame (already received or future) matching `match`, after index `since`. */
  waitForFrame(match: (frame: ClientFrame) => boolean, options: { since?: number; timeoutMs?: number } = {}): Promise<ClientFrame> {
    const seen = this.frames.slice(options.since ?? 0).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<ClientFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('fake drachtio-server: timed out waiting for a client frame'));
      }, options.timeoutMs ?? 5000);
      const waiter: Waiter = { match, resolve: (frame) => (clearTimeout(timer), resolve(frame)) };
      this.waiters.push(waiter);
    });
  }

  /** Inject the network's final (or provisional) response to a request the client sent. */
  respond(txnId: string, reply: { status: number; reason: string; headers?: HeaderPairs }): void {
    const request = this.sentRequests.find((r) => r.txnId === txnId);
    if (request === undefined) throw new Error(`fake drachtio-server: no sent request ${txnId}`);
    const sip = buildResponse(request.wire, { status: reply.status, reason: reply.reason, headers: reply.headers ?? [] });
    // Only the connection that sent the request can receive its responses; if it is gone they are lost.
    const origin = [...this.connections].find((c) => c.id === request.frame.connection);
    origin?.socket.write(encodeFrame(this.networkLeader(txnId, sip) + '\r\n' + sip));
  }

  /** Inject an incoming request from the network; resolves with the client's response frame for it. */
  async injectRequest(request: Omit<InjectedRequest, 'sourcePort'>): Promise<{ txnId: string; frame: ClientFrame; response: ReturnType<typeof parseSipText> }> {
    const txnId = randomUUID();
    const sip = buildIncomingRequest({ ...request, sourcePort: PEER.port });
    const since = this.frames.length;
    const target = [...this.connections].find((c) => c.routes.has((request.method ?? 'MESSAGE').toLowerCase()));
    // drachtio-server itself would answer 503 here (spec D7); a test doing this has a setup problem.
    if (target === undefined) throw new Error('fake drachtio-server: no client has routed this method');
    target.socket.write(encodeFrame(this.networkLeader(txnId, sip) + '\r\n' + sip));
    const frame = await this.waitForFrame((f) => f.type === 'sip' && f.args[0] === txnId, { since });
    return { txnId, frame, response: parseSipText(frame.sip ?? '') };
  }

  /** Abrupt loss of the control connection: every client socket is destroyed, the listener stays up. */
  dropConnections(): void {
    for (const connection of this.connections) connection.socket.destroy();
    this.connections.clear();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A server restart: drop everything, stay down for `downMs`, listen again on the same port. */
  async restart(options: { downMs: number }): Promise<void> {
    const port = this.boundPort;
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, options.downMs));
    await this.listen(port);
  }

  private async listen(port: number): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake drachtio-server: no TCP address');
    this.boundPort = address.port;
  }

  private accept(socket: net.Socket): void {
    const connection: Connection = { id: this.nextConnectionId++, socket, authenticated: false, routes: new Set() };
    this.connections.add(connection);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const payload of decoder.push(chunk)) this.onFrame(connection, payload);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(connection));
  }

  private onFrame(connection: Connection, payload: string): void {
    const frame: ClientFrame = { ...parsePayload(payload), connection: connection.id, payload };
    this.frames.push(frame);
    this.dispatch(connection, frame);
    for (const waiter of this.waiters.filter((w) => w.match(frame))) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(frame);
    }
  }

  private dispatch(connection: Connection, frame: ClientFrame): void {
    const reply = (rest: string): void => void connection.socket.write(encodeFrame(`${randomUUID()}|response|${frame.msgId}|${rest}`));
    if (frame.type === 'authenticate') {
      connection.authenticated = frame.args[0] === this.secret;
      // OK|<sip hostports>|<server version>|<local hostports>, as observed with a git-less build (spec §3.6).
      reply(connection.authenticated ? `OK|udp/127.0.0.1:${FAKE_SIP_PORT}|1.0.0|udp/127.0.0.1:${FAKE_SIP_PORT}` : 'NOK|authentication failed');
    } else if (!connection.authenticated) {
      reply('NOK|not authenticated');
    } else if (frame.type === 'route') {
      connection.routes.add(frame.args[0] ?? '');
      reply('OK');
    } else if (frame.type === 'ping') {
      reply('OK');
    } else if (frame.type === 'sip') {
      this.onSipFrame(connection, frame, reply);
    }
  }

  // `sip||` with a request = send it; `sip|<txnId>|` with a response = answer an injected request.
  private onSipFrame(connection: Connection, frame: ClientFrame, reply: (rest: string) => void): void {
    const sip = frame.sip ?? '';
    const txnId = frame.args[0] ?? '';
    if (sip.startsWith('SIP/2.0 ')) {
      reply(`OK|application|${Buffer.byteLength(sip, 'utf8')}|udp|${PEER.address}|${PEER.port}|${clock()}|${txnId}|\r\n${sip}`);
      return;
    }
    const request: SentRequest = { txnId: randomUUID(), frame, wire: completeRequest(sip, { cseq: this.cseq++, localPort: FAKE_SIP_PORT }) };
    const behaviour = this.onRequest(request);
    if (behaviour.kind === 'refuse') return reply(`NOK|${behaviour.reason}`);
    this.sentRequests.push(request);
    const ok = encodeFrame(
      `${randomUUID()}|response|${frame.msgId}|OK|application|${Buffer.byteLength(request.wire, 'utf8')}|udp|` +
        `${PEER.address}|${PEER.port}|${clock()}|${request.txnId}|\r\n${request.wire}`,
    );
    if (behaviour.kind === 'silent') return void connection.socket.write(ok);
    const answer = buildResponse(request.wire, { status: behaviour.status, reason: behaviour.reason, headers: behaviour.headers ?? [] });
    const response = encodeFrame(this.networkLeader(request.txnId, answer) + '\r\n' + answer);
    // sameChunk: both frames in one TCP write, as a fast peer on loopback can cause.
    if (behaviour.sameChunk === true) return void connection.socket.write(Buffer.concat([ok, response]));
    connection.socket.write(ok);
    setTimeout(() => connection.socket.write(response), 5);
  }

  private networkLeader(txnId: string, sip: string): string {
    return `${randomUUID()}|sip|network|${Buffer.byteLength(sip, 'utf8')}|udp|${PEER.address}|${PEER.port}|${clock()}|${txnId}||127.0.0.1|${FAKE_SIP_PORT}`;
  }
}

function clock(): string {
  return new Date().toISOString().slice(11, 23);
}
