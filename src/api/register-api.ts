// The Twilio-compatible API as one encapsulated plugin: every route in it is authenticated (HTTP Basic), rate
// limited per account when configured, and authorised for the {AccountSid} in its path.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { ApiDeps } from './api-deps.js';
import { authenticate, authorizeAccount } from './auth.js';
import { createRateLimiter } from './rate-limiter.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerPhoneNumberRoutes } from './routes/phone-numbers.js';

export interface ApiOptions {
  /** Requests per second per authenticated account; absent or 0 = unlimited. */
  apiRateLimit?: number | undefined;
}

export async function registerTwilioApi(app: FastifyInstance, deps: ApiDeps, options: ApiOptions): Promise<void> {
  await app.register(async (api) => {
    const limiter = options.apiRateLimit ? createRateLimiter({ perSecond: options.apiRateLimit }) : null;
    api.decorateRequest('principal', null);
    api.decorateRequest('account', null);
    // onRequest runs before body parsing and validation, so bad credentials are 401 whatever else is wrong.
    api.addHook('onRequest', async (request) => {
      const principal = await authenticate(deps.db, { authorization: request.headers.authorization });
      request.principal = principal;
      if (limiter && !limiter.admit(principal.accountSid)) throw new AppError('tooManyRequests');
      const accountSid = (request.params as { AccountSid?: string }).AccountSid;
      if (accountSid !== undefined) request.account = await authorizeAccount(deps.db, { principal, accountSid });
    });
    registerAccountRoutes(api, deps);
    registerKeyRoutes(api, deps);
    registerPhoneNumberRoutes(api, deps);
    registerMessageRoutes(api, deps);
  });
}
