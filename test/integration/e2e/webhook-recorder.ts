// A customer application on 127.0.0.1 for the end-to-end tests: records every webhook (form fields decoded) and
// answers inbound-SMS webhooks with the given TwiML, status callbacks with 204.
import { createServer, type Server } from 'node:http';

export interface RecordedWebhook {
  path: string;
  params: Record<string, string>;
}

export interface WebhookRecorder {
  url: string;
  requests(): RecordedWebhook[];
  stop(): Promise<void>;
}

export async function startWebhookRecorder(options: { twiml?: string } = {}): Promise<WebhookRecorder> {
  const log: RecordedWebhook[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      log.push({ path: (request.url ?? '/').split('?')[0]!, params });
      if (params.MessageStatus !== undefined) {
        response.writeHead(204).end();
        return;
      }
      const twiml = options.twiml ?? '<Response/>';
      response.writeHead(200, { 'content-type': 'text/xml' }).end(twiml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('webhook recorder did not bind');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => log.map((entry) => ({ ...entry, params: { ...entry.params } })),
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
