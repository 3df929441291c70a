// UDP and TCP transports for the native adapter. They move bytes only, no SIP semantics: TCP streams are framed
// (tcp-stream.ts), and inbound TCP connections are admitted or refused on accept (connection-guard.ts).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { connect, createServer, isIP, isIPv6, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { SipListenAddress } from '../port.js';
import { ConnectionGuard, type ConnectionRefusal } from './connection-guard.js';
import { DEFAULT_SIP_LIMITS, type SipLimits } from './limits.js';
import type { SipFramingError } from './stream-framer.js';
import { readTcpStream, type StreamClosure } from './tcp-stream.js';

export interface TransportSource {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

export type InboundBytes = (data: Buffer, source: TransportSource) => void;

export interface SipTransport {
  readonly kind: 'udp' | 'tcp';
  /** Binds and returns the bound address (the real port when 0 was asked for). */
  start(): Promise<SipListenAddress>;
  send(data: Buffer, target: { address: string; port: number }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The UDP socket's receive buffer we ask for (the kernel grants at most net.core.rmem_max). Linux's default,
 * about 208 KB, overflows in a burst: the datagrams dropped are often 200 OKs, so a send is only answered by
 * a retransmission 0.5–1.5 s later, after the SMSC's receipt for it, which then finds its message still
 * `sending` (measured in the bench: 12 % of SIP receipts parked at the default, with the kernel's UDP
 * "receive buffer errors" counting the drops).
 */
export const UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export function createUdpTransport(options: { listen: SipListenAddress; onBytes: InboundBytes; logger: Logger }): SipTransport {
  const { listen, onBytes, logger } = options;
  let socket: UdpSocket | undefined;
  return {
    kind: 'udp',
    start: () =>
      new Promise((resolve, reject) => {
        const udp = createSocket({
          type: isIPv6(listen.host) ? 'udp6' : 'udp4', lookup: literalFirstLookup, recvBufferSize: UDP_RECEIVE_BUFFER_BYTES,
        });
        udp.once('error', reject);
        udp.on('message', (data, info) => onBytes(data, { transport: 'udp', address: info.address, port: info.port }));
        udp.bind({ address: listen.host, port: listen.port }, () => {
          udp.off('error', reject);
          udp.on('error', (error) => logger.error({ err: error }, 'SIP UDP socket error'));
          socket = udp;
          resolve({ transport: 'udp', host: listen.host, port: udp.address().port });
        });
      }),
    send: (data, target) =>
      new Promise((resolve, reject) => {
        if (!socket) return reject(new Error('SIP UDP transport is not started'));
        socket.send(data, target.port, target.address, (error) => (error ? reject(error) : resolve()));
      }),
    stop: () =>
      new Promise((resolve) => {
        if (!socket) return resolve();
        const closing = socket;
        socket = undefined;
        closing.close(() => resolve());
      }),
  };
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves the target of every datagram, IP literal or not: a dns.lookup, which answers a literal on the
 * next tick, per send. A literal is answered at once here; names still go to dns.lookup.
 */
function literalFirstLookup(hostname: string, options: LookupOneOptions | number, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) return callback(null, hostname, family);
  dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

export interface TcpTransportOptions {
  listen: SipListenAddress;
  onBytes: InboundBytes;
  logger: Logger;
  limits?: Partial<SipLimits>;
  /** Checked on accept: a connection from elsewhere is closed before anything is read from it. */
  allowedSources?: (address: string) => boolean;
  /** A stream that cannot be framed: returns a last response (400/413) to send before closing, if any. */
  onFramingError?: (error: SipFramingError, source: TransportSource) => Buffer | undefined;
  /** Connections closed on accept or by a timeout, for the owner's counters. */
  onConnectionEvent?: (event: ConnectionRefusal | StreamClosure) => void;
}

/**
 * TCP: one connection per peer, reused in both directions; inbound connections are keyed by their source. Inbound
 * connections are admitted by a ConnectionGuard (allow-list, caps) while still paused, so a refused peer never
 * gets a byte read; every connection, ours or theirs, is read under the size limit and the two timeouts.
 */
export function createTcpTransport(options: TcpTransportOptions): SipTransport {
  const { listen, onBytes, logger, onConnectionEvent } = options;
  const limits: SipLimits = { ...DEFAULT_SIP_LIMITS, ...options.limits };
  const guard = new ConnectionGuard({ limits, allowedSources: options.allowedSources, logger, onRefused: onConnectionEvent });
  const connections = new Map<string, Promise<Socket>>();
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  const adopt = (socket: Socket, keys: string[]): void => {
    sockets.add(socket);
    const source = (): TransportSource => ({ transport: 'tcp', address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 });
    readTcpStream({
      socket,
      peer: keys[0]!,
      limits,
      logger,
      onMessage: (message) => onBytes(message, source()),
      onFramingError: (error) => options.onFramingError?.(error, source()),
      onClosedByTimeout: onConnectionEvent,
    });
    socket.on('error', (error) => logger.warn({ err: error, peer: keys[0] }, 'SIP TCP connection error'));
    socket.on('close', () => {
      sockets.delete(socket);
      for (const key of keys) connections.delete(key);
    });
  };

  const open = (target: { address: string; port: number }): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: target.address, port: target.port, localAddress: listen.host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
    });

  const connectionTo = (target: { address: string; port: number }): Promise<Socket> => {
    const key = `${target.address}:${target.port}`;
    const existing = connections.get(key);
    if (existing) return existing;
    const pending = open(target).then((socket) => {
      const keys = [key, `${socket.remoteAddress}:${socket.remotePort}`];
      for (const k of keys) connections.set(k, pending);
      adopt(socket, keys);
      return socket;
    });
    connections.set(key, pending);
    pending.catch(() => connections.delete(key));
    return pending;
  };

  return {
    kind: 'tcp',
    start: () =>
      new Promise((resolve, reject) => {
        const tcp = createServer({ pauseOnConnect: true }, (socket) => {
          const release = guard.admit({ address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 });
          if (!release) {
            socket.destroy();
            return;
          }
          socket.once('close', release);
          const key = `${socket.remoteAddress}:${socket.remotePort}`;
          connections.set(key, Promise.resolve(socket));
          adopt(socket, [key]);
          socket.resume();
        });
        tcp.once('error', reject);
        tcp.listen({ host: listen.host, port: listen.port }, () => {
          tcp.off('error', reject);
          tcp.on('error', (error) => logger.error({ err: error }, 'SIP TCP server error'));
          server = tcp;
          const bound = tcp.address();
          resolve({ transport: 'tcp', host: listen.host, port: typeof bound === 'object' && bound ? bound.port : listen.port });
        });
      }),
    send: async (data, target) => {
      if (!server) throw new Error('SIP TCP transport is not started');
      const socket = await connectionTo(target);
      await new Promise<void>((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
    },
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        connections.clear();
        if (!server) return resolve();
        const closing = server;
        server = undefined;
        closing.close(() => resolve());
      }),
  };
}
