// Accounts: a main account creates subaccounts (POST /Accounts.json), lists itself and them, and fetches any of
// them. API keys are Standard keys and cannot use this resource.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors/app-error.js';
import { createAccount, listVisibleAccounts } from '../../store/account-store.js';
import { pathAccount, requirePrincipal, type ApiDeps } from '../api-deps.js';
import type { Principal } from '../auth.js';
import { presentAccount } from '../presenters.js';
import { AccountParams, errorResponses } from '../schemas/common.js';
import { AccountPage, AccountResource, CreateAccountBody, ListQuery } from '../schemas/account-schemas.js';
import { toTwilioDate } from '../twilio-date.js';

const tags = ['Accounts'];
const consumes = ['application/x-www-form-urlencoded', 'application/json'];

export function requireAuthToken(principal: Principal, resource: string): void {
  if (principal.via === 'api_key') {
    throw new AppError('keyScopeForbidden', { principal: `API key ${principal.keySid ?? ''}`, resource });
  }
}

export function registerAccountRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;

  api.post('/2010-04-01/Accounts.json', {
    schema: {
      operationId: 'CreateAccount', tags, summary: 'Create a subaccount of the calling main account', consumes,
      body: CreateAccountBody, response: { 201: AccountResource, ...errorResponses(400, 401, 429) },
    },
  }, async (request, reply) => {
    const principal = requirePrincipal(request);
    requireAuthToken(principal, 'Accounts');
    if (!principal.isMainAccount) {
      throw new AppError('keyScopeForbidden', { principal: `Subaccount ${principal.accountSid}`, resource: 'Accounts (create)' });
    }
    const account = await createAccount(db, {
      friendlyName: request.body?.FriendlyName ?? `SubAccount Created at ${toTwilioDate(new Date())}`,
      ownerAccountSid: principal.accountSid,
    });
    return reply.status(201).send(presentAccount(account));
  });

  api.get('/2010-04-01/Accounts.json', {
    schema: {
      operationId: 'ListAccount', tags, summary: 'The calling account and its subaccounts',
      querystring: ListQuery, response: { 200: AccountPage, ...errorResponses(400, 401, 429) },
    },
  }, async (request) => {
    const principal = requirePrincipal(request);
    requireAuthToken(principal, 'Accounts');
    const pageSize = request.query.PageSize ?? 50;
    const page = request.query.Page ?? 0;
    const rows = await listVisibleAccounts(db, { accountSid: principal.accountSid, offset: page * pageSize, limit: pageSize + 1 });
    const records = rows.slice(0, pageSize);
    const link = (n: number) => `/2010-04-01/Accounts.json?PageSize=${pageSize}&Page=${n}`;
    const start = page * pageSize;
    return {
      accounts: records.map(presentAccount),
      end: records.length === 0 ? 0 : start + records.length - 1,
      first_page_uri: link(0),
      next_page_uri: rows.length > pageSize ? link(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? link(page - 1) : null,
      start,
      uri: link(page),
    };
  });

  api.get('/2010-04-01/Accounts/:AccountSid.json', {
    schema: {
      operationId: 'FetchAccount', tags, summary: 'Fetch the calling account or one of its subaccounts',
      params: AccountParams, response: { 200: AccountResource, ...errorResponses(401, 404, 429) },
    },
  }, async (request) => {
    requireAuthToken(requirePrincipal(request), 'Accounts');
    return presentAccount(pathAccount(request));
  });
}
