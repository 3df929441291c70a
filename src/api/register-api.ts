// The Twilio-compatible API as one encapsulated plugin: every route in it is authenticated (HTTP Basic), rate
// limited per account when configured, and authorised for the {AccountSid} in its path.
//
// Credentials, path accounts and sender numbers are remembered for authCacheTtlMs (default 5 s) so that the
// Messages create hot path does not query them on every request. Any authenticated request that may change them
// (every method but GET/HEAD, except on routes that declare `keepsApiCaches`) clears those caches before its
// response is sent, so a key or number deleted through this process stops working at once; one deleted through
// another instance sharing the database stops working here within the TTL.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { ApiDeps } from './api-deps.js';
import { createAuthenticator } from './auth.js';
import { cacheSenderDirectory } from './cached-sender-directory.js';
import { dropEmptyParameters } from './empty-parameters.js';
import { createRateLimiter } from './rate-limiter.js';
import { registerAccountRouteRoutes } from './routes/account-route.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerPhoneNumberRoutes } from './routes/phone-numbers.js';
import { registerServiceRoutes } from './routes/services.js';
import { registerOptOutRoutes } from './routes/opt-outs.js';

export interface ApiOptions {
  /** Requests per second per authenticated account; absent or 0 = unlimited. */
  apiRateLimit?: number | undefined;
  /** How long successful credential, account and sender checks are remembered; 0 turns caching off. Default 5 s. */
  authCacheTtlMs?: number | undefined;
  /** More routes behind the same authentication and account rule (the console's JSON endpoints). */
  authenticatedRoutes?: ((api: FastifyInstance) => void) | undefined;
}

export const DEFAULT_AUTH_CACHE_TTL_MS = 5_000;

export async function registerTwilioApi(app: FastifyInstance, apiDeps: ApiDeps, options: ApiOptions): Promise<void> {
  const ttlMs = options.authCacheTtlMs ?? DEFAULT_AUTH_CACHE_TTL_MS;
  const auth = createAuthenticator({ db: apiDeps.db, ttlMs });
  const senders = cacheSenderDirectory(apiDeps.senders, { ttlMs });
  const deps: ApiDeps = { ...apiDeps, senders };
  await app.register(async (api) => {
    const limiter = options.apiRateLimit ? createRateLimiter({ perSecond: options.apiRateLimit }) : null;
    // Fastify parses text/plain by default; the API takes forms and JSON only, so anything else is 415 (70002).
    api.removeContentTypeParser('text/plain');
    api.addHook('preValidation', dropEmptyParameters);
    api.decorateRequest('principal', null);
    api.decorateRequest('account', null);
    // onRequest runs before body parsing and validation, so bad credentials are 401 whatever else is wrong.
    api.addHook('onRequest', async (request) => {
      const principal = await auth.authenticate({ authorization: request.headers.authorization });
      request.principal = principal;
      if (limiter && !limiter.admit(principal.accountSid)) throw new AppError('tooManyRequests');
      const accountSid = (request.params as { AccountSid?: string }).AccountSid;
      if (accountSid !== undefined) request.account = await auth.authorizeAccount({ principal, accountSid });
    });
    // The auth and sender caches need no hook here: every store write to keys, tokens, accounts, numbers and
    // services moves store/directory-version.ts, which empties them before the write's answer is sent.
    registerAccountRoutes(api, deps);
    registerAccountRouteRoutes(api, deps);
    registerKeyRoutes(api, deps);
    registerPhoneNumberRoutes(api, deps);
    registerMessageRoutes(api, deps);
    registerServiceRoutes(api, deps);
    registerOptOutRoutes(api, deps);
    options.authenticatedRoutes?.(api);
  });
}
