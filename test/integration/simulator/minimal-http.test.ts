// The minimal HTTP/1.1 framing (`simulate --lean-http`) over a raw socket: exact wire text for keep-alive,
// pipelining, split requests, and every refusal.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, localHttpServer, type PlainRequest } from '../../../src/simulator/http-helpers.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A server that answers each request with its method, URL, one header and body, after `delayFor` ms. */
async function start(delayFor: (request: PlainRequest) => number = () => 0): Promise<number> {
  const server = localHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    framing: 'minimal',
    handler: async (request) => {
      if (request.url === '/fail') throw new HttpError(418, 'no tea');
      const delay = delayFor(request);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: `${request.method} ${request.url} ${request.header('x-a') ?? '-'} ${request.body.toString()}` };
    },
  });
  const { port } = await server.start();
  stops.push(() => server.stop());
  return port;
}

/** Writes `chunks` (a few ms apart), then collects everything until the server closes or `untilText` shows up. */
function exchange(port: number, chunks: string[], untilText?: string): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ text: text.replace(/Date: [^\r]+\r\n/g, ''), closed });
    };
    socket.on('data', (data) => {
      text += data.toString('latin1');
      if (untilText !== undefined && text.endsWith(untilText)) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  });
}

const ok = (body: string): string =>
  `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('minimal HTTP framing', () => {
  it('keeps the connection, answers pipelined requests in order (a slow first one included), and reassembles split requests', async () => {
    const port = await start((request) => (request.url === '/slow' ? 30 : 0));
    const post = 'POST /b HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 5\r\n\r\nhello';
    const result = await exchange(port, ['GET /slow HTTP/1.1\r\nHost: x\r\n\r\n' + post.slice(0, 20), post.slice(20, 60), post.slice(60)], 'hello');
    expect(result).toEqual({ text: ok('GET /slow - ') + ok('POST /b 1, 2 hello'), closed: false });
  });

  it('closes after Connection: close and after an HTTP/1.0 request without keep-alive', async () => {
    const port = await start();
    const closeBody = 'GET /c - ';
    expect(await exchange(port, ['GET /c HTTP/1.1\r\nConnection: close\r\n\r\n'])).toEqual({
      text: `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nConnection: close\r\nContent-Length: ${closeBody.length}\r\n\r\n${closeBody}`, closed: true,
    });
    expect((await exchange(port, ['GET /c HTTP/1.0\r\n\r\n'])).closed).toBe(true);
    expect((await exchange(port, ['GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], 'GET /c - ')).closed).toBe(false);
  });

  it('reads chunked bodies (as node:http clients send a body written without a length), split anywhere, trailers ignored', async () => {
    const port = await start();
    const chunked = 'POST /j HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n';
    const result = await exchange(port, [chunked.slice(0, 50), chunked.slice(50, 63), chunked.slice(63), 'GET /next HTTP/1.1\r\n\r\n'], 'GET /next - ');
    expect(result).toEqual({ text: ok('POST /j - hello, world') + ok('GET /next - '), closed: false });
  });

  it('refuses other transfer codings (501), malformed requests (400) and large bodies (413) as JSON, then closes', async () => {
    const port = await start();
    const refusal = (status: string, message: string): string => {
      const body = JSON.stringify({ error: message });
      return `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    };
    expect(await exchange(port, ['POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'])).toEqual({
      text: refusal('501 Not Implemented', 'Transfer-Encoding "gzip, chunked" is not supported here'), closed: true,
    });
    expect(await exchange(port, ['POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n'])).toEqual({
      text: refusal('400 Bad Request', 'Both Transfer-Encoding and Content-Length'), closed: true,
    });
    expect(await exchange(port, ['POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'])).toEqual({ text: refusal('400 Bad Request', 'Bad chunk size'), closed: true });
    expect(await exchange(port, ['NOT HTTP\r\n\r\n'])).toEqual({ text: refusal('400 Bad Request', 'Malformed request line'), closed: true });
    expect(await exchange(port, ['POST /a HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n'])).toEqual({ text: refusal('413 Payload Too Large', 'Request body too large'), closed: true });
  });

  it("answers a handler's HttpError with its status and keeps the connection", async () => {
    const port = await start();
    const body = JSON.stringify({ error: 'no tea' });
    expect(await exchange(port, ['GET /fail HTTP/1.1\r\n\r\n'], body)).toEqual({
      text: `HTTP/1.1 418 I'm a Teapot\r\ncontent-type: application/json\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: ${body.length}\r\n\r\n${body}`, closed: false,
    });
  });
});
