// buildApp: the Fastify instance with its plugins and routes. It never listens and never reads the environment;
// main.ts (and tests) decide both. Nothing here touches the database until a request arrives.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import type { Database } from './store/database.js';
import type { MessageWriter } from './messaging/ports.js';
import { createMessageWriter } from './store/message-store.js';
import { createSenderDirectory } from './store/phone-number-store.js';
import { withEmptyFormExamples, withThisServer } from './api/docs-document.js';
import { registerErrorHandling } from './api/error-handler.js';
import { registerTwilioApi } from './api/register-api.js';
import { registerConsoleApi } from './console/console-api.js';
import { registerConsolePages } from './console/console-pages.js';
import type { SmscLinkSource } from './console/smsc-link.js';
import { registerRequestLog } from './api/request-log.js';
import type { HttpMetrics } from './metrics/http-metrics.js';
import { registerRestcommApi } from './api/restcomm/restcomm-api.js';
import { DEFAULT_SCHEDULE_WINDOW, type ScheduleWindow } from './messaging/schedule.js';

/** The settings the HTTP app reads; the full process Config satisfies it structurally. */
export interface AppConfig {
  /** Requests per second per authenticated account; absent or 0 = unlimited. */
  apiRateLimit?: number | undefined;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: false refuses literal private addresses in webhook URLs at create time; absent = true. */
  allowPrivateWebhookUrls?: boolean | undefined;
  /** X- header names a RestComm-API send may not set. */
  restcommXHeaderDeny?: readonly string[] | undefined;
  /** The SendAt window of scheduled messages; absent = Twilio's (more than 300 s, at most 35 days ahead). */
  scheduleWindow?: ScheduleWindow | undefined;
}

export interface AppDeps {
  db: Database;
  logger: Logger;
  config: AppConfig;
  /** Replaces the one-statement-per-message writer, e.g. with a group-commit batcher. */
  messageWriter?: MessageWriter;
  /** Counts and times every request by route pattern and status (`/metrics`); none when absent. */
  httpMetrics?: HttpMetrics;
  /** More routes outside the Twilio API (e.g. /readyz, /metrics); registered after the API, unauthenticated. */
  extraRoutes?: (app: FastifyInstance) => void | Promise<void>;
  /** What the console's overview shows of the SMSC link (SIP probe, SMPP binds); absent without the pipeline. */
  smscLink?: SmscLinkSource;
}

/** `npm start`'s address with the default HOST and PORT: the `servers` entry of openapi/openapi.json. */
const DEFAULT_SERVER = { url: 'http://127.0.0.1:8080', description: 'npm start with the default HOST and PORT' };

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's two info lines per request cost ~40 µs each on the accept hot path (profiled at 5,000 req/s);
    // request-log.ts writes one line per request instead, with the route pattern and the Twilio code.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  registerRequestLog(app, { metrics: deps.httpMetrics });
  registerErrorHandling(app);
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'smsc-connect',
        version: '2010-04-01',
        description: 'A Twilio-compatible Messages API (2010-04-01) in front of a carrier SMSC. ' +
          'Errors are Twilio\'s {code, message, more_info, status}; dates are RFC 2822.',
      },
      // The committed document names the default address; /openapi.json and /docs name the server that serves them.
      servers: [DEFAULT_SERVER],
      components: { securitySchemes: { accountSid_authToken: { type: 'http', scheme: 'basic' } } },
      security: [{ accountSid_authToken: [] }],
      tags: [
        { name: 'Messages' }, { name: 'IncomingPhoneNumbers' }, { name: 'Accounts' }, { name: 'Keys' }, { name: 'Messaging Services' }, { name: 'OptOuts' },
        { name: 'Operations' },
        { name: 'RestComm SMS', description: 'RestComm-Connect\'s SMS resource (2012-04-24), docs/restcomm.md' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    theme: { title: 'smsc-connect' },
    transformSpecification: (document, request) => withThisServer(withEmptyFormExamples(document), request),
    // Keeps the credentials given to Authorize across reloads of the page.
    uiConfig: { persistAuthorization: true },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async (request) => withThisServer(app.swagger(), request));
  app.get('/healthz', {
    schema: {
      operationId: 'Healthz', tags: ['Operations'], summary: 'Liveness: the process answers', security: [],
      response: { 200: Type.Object({ status: Type.Literal('ok') }) },
    },
  }, async () => ({ status: 'ok' as const }));
  // One writer and one sender directory for both APIs: a message sent through either is one group commit, and a
  // number change seen by one is seen by the other.
  const apiDeps = {
    db: deps.db,
    writer: deps.messageWriter ?? createMessageWriter(deps.db),
    senders: createSenderDirectory(deps.db),
    allowPrivateWebhookUrls: deps.config.allowPrivateWebhookUrls ?? true,
    scheduleWindow: deps.config.scheduleWindow ?? DEFAULT_SCHEDULE_WINDOW,
  };
  await registerTwilioApi(app, apiDeps, {
    apiRateLimit: deps.config.apiRateLimit,
    authenticatedRoutes: (api) => registerConsoleApi(api, { db: deps.db, smscLink: deps.smscLink }),
  });
  registerConsolePages(app);
  await registerRestcommApi(app, apiDeps, { xHeaderDeny: deps.config.restcommXHeaderDeny, apiRateLimit: deps.config.apiRateLimit });
  if (deps.extraRoutes) await deps.extraRoutes(app);
  return app;
}
