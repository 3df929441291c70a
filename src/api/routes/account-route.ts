// Account update (Twilio's POST /Accounts/{Sid}.json) carrying our routing extension: `SmscRoute` chooses the road
// of the account's outbound messages (sip, smpp, or default = SMSC_DEFAULT_ROUTE); a number's own SmscRoute wins
// over it. Routing is the operator's decision, so only a main account's auth token may change it, on itself or
// on one of its subaccounts. Twilio's FriendlyName/Status updates are refused, not ignored.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors/app-error.js';
import { routeChoice, setAccountRoute } from '../../store/route-store.js';
import { pathAccount, requirePrincipal, type ApiDeps } from '../api-deps.js';
import { pathOf } from '../error-handler.js';
import { presentAccount } from '../presenters.js';
import { AccountResource } from '../schemas/account-schemas.js';
import { AccountParams, errorResponses } from '../schemas/common.js';
import { requireAuthToken } from './accounts.js';

export const SmscRouteParam = Type.Enum(['sip', 'smpp', 'default'], {
  description: 'Extension: the road to the SMSC (`sip` MESSAGE or `smpp` submit_sm); `default` clears the choice',
});

const AccountWithRoute = Type.Object(
  {
    ...AccountResource.properties,
    smsc_route: Type.Enum(['sip', 'smpp', 'default'], { description: 'Extension: the account\'s road to the SMSC' }),
  },
  {},
);

const UpdateAccountBody = Type.Object({
  SmscRoute: Type.Optional(SmscRouteParam),
  FriendlyName: Type.Optional(Type.String({ description: 'Not supported: answered 400 (70002)' })),
  Status: Type.Optional(Type.String({ description: 'Not supported: answered 400 (70002)' })),
});

export function registerAccountRouteRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post('/2010-04-01/Accounts/:AccountSid.json', {
    schema: {
      operationId: 'UpdateAccount', tags: ['Accounts'],
      summary: 'Choose the road to the SMSC (SmscRoute) of the account or of one of its subaccounts',
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      params: AccountParams, body: UpdateAccountBody,
      response: { 200: AccountWithRoute, ...errorResponses(400, 401, 404, 429) },
    },
  }, async (request) => {
    const principal = requirePrincipal(request);
    requireAuthToken(principal, 'Accounts');
    const body = request.body ?? {};
    for (const name of ['FriendlyName', 'Status'] as const) {
      if (body[name] !== undefined) throw new AppError('featureNotSupported', { name, reason: 'only SmscRoute can be updated' });
    }
    const account = pathAccount(request);
    if (body.SmscRoute === undefined) return { ...presentAccount(account), smsc_route: routeChoice(account.smsRoute) };
    if (!principal.isMainAccount) {
      throw new AppError('keyScopeForbidden', { principal: `Subaccount ${principal.accountSid}`, resource: 'Accounts (SmscRoute)' });
    }
    const updated = await setAccountRoute(deps.db, { accountSid: account.sid, route: body.SmscRoute });
    if (!updated) throw new AppError('notFound', { path: pathOf(request) });
    request.log.info({ accountSid: updated.sid, smscRoute: body.SmscRoute }, 'account SMSC route changed');
    return { ...presentAccount(updated), smsc_route: routeChoice(updated.smsRoute) };
  });
}
