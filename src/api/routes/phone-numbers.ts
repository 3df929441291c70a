// IncomingPhoneNumbers: provisioning the numbers the SMSC routes to this installation, with their webhooks.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors/app-error.js';
import { isE164 } from '../../messaging/address.js';
import { isValidCallbackUrl } from '../../messaging/outbound-draft.js';
import { literalPrivateHost } from '../../webhooks/address-ranges.js';
import {
  createPhoneNumber, deletePhoneNumber, findPhoneNumber, listPhoneNumbers, updatePhoneNumber, type PhoneNumber, type PhoneNumberSettings,
} from '../../store/phone-number-store.js';
import { routeChoice, setNumberRoute, type SmscRouteChoice } from '../../store/route-store.js';
import { pathAccount, type ApiDeps } from '../api-deps.js';
import { phoneNumbersPath } from '../api-paths.js';
import { pathOf } from '../error-handler.js';
import { buildPage, planPage } from '../paging.js';
import { presentPhoneNumber } from '../presenters.js';
import { AccountParams, AccountSid, errorResponses, PhoneNumberSid } from '../schemas/common.js';
import {
  CreatePhoneNumberBody, IncomingPhoneNumber, ListPhoneNumberQuery, PhoneNumberPage, UpdatePhoneNumberBody,
} from '../schemas/phone-number-schemas.js';

const NumberParams = Type.Object({ AccountSid, Sid: PhoneNumberSid });
const tags = ['IncomingPhoneNumbers'];
const consumes = ['application/x-www-form-urlencoded', 'application/json'];
const base = '/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers';

interface SettingsParams {
  FriendlyName?: string | undefined;
  SmsUrl?: string | undefined;
  SmsMethod?: 'GET' | 'POST' | undefined;
  SmsFallbackUrl?: string | undefined;
  SmsFallbackMethod?: 'GET' | 'POST' | undefined;
  StatusCallback?: string | undefined;
  StatusCallbackMethod?: 'GET' | 'POST' | undefined;
}

/**
 * Request parameters → stored settings; "" clears a URL. Without `allowPrivateUrls`, a URL naming a private IP
 * address is refused like a malformed one: it could never be called.
 */
function toSettings(body: SettingsParams, allowPrivateUrls: boolean): PhoneNumberSettings {
  const url = (name: string, value: string | undefined): string | null | undefined => {
    if (value === undefined || value === '') return value === '' ? null : undefined;
    if (!isValidCallbackUrl(value)) throw new AppError('invalidWebhookUrl', { name, url: value });
    if (!allowPrivateUrls && literalPrivateHost(value) !== null) throw new AppError('invalidWebhookUrl', { name, url: value });
    return value;
  };
  return {
    friendlyName: body.FriendlyName,
    smsUrl: url('SmsUrl', body.SmsUrl),
    smsMethod: body.SmsMethod,
    smsFallbackUrl: url('SmsFallbackUrl', body.SmsFallbackUrl),
    smsFallbackMethod: body.SmsFallbackMethod,
    statusCallback: url('StatusCallback', body.StatusCallback),
    statusCallbackMethod: body.StatusCallbackMethod,
  };
}

/** The Twilio resource plus our `smsc_route` extension. */
function present(number: PhoneNumber) {
  return { ...presentPhoneNumber(number), smsc_route: routeChoice(number.smsRoute) };
}

/** Applies the SmscRoute extension parameter, when given, after the Twilio settings were written. */
async function applyRoute(deps: ApiDeps, number: PhoneNumber, route: SmscRouteChoice | undefined): Promise<PhoneNumber> {
  if (route === undefined) return number;
  return (await setNumberRoute(deps.db, { accountSid: number.accountSid, sid: number.sid, route })) ?? number;
}

function checkFallback(number: Pick<PhoneNumber, 'smsUrl' | 'smsFallbackUrl'>): void {
  if (number.smsFallbackUrl && !number.smsUrl) throw new AppError('fallbackWithoutUrl');
}

export function registerPhoneNumberRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  const notFound = (path: string) => new AppError('notFound', { path });

  api.post(`${base}.json`, {
    schema: {
      operationId: 'CreateIncomingPhoneNumber', tags, summary: 'Provision a number the SMSC routes to this installation', consumes,
      params: AccountParams, body: CreatePhoneNumberBody,
      response: { 201: IncomingPhoneNumber, ...errorResponses(400, 401, 429) },
    },
  }, async (request, reply) => {
    const { PhoneNumber: phoneNumber } = request.body;
    if (!isE164(phoneNumber)) throw new AppError('invalidPhoneNumber', { phoneNumber });
    const settings = toSettings(request.body, deps.allowPrivateWebhookUrls);
    checkFallback({ smsUrl: settings.smsUrl ?? null, smsFallbackUrl: settings.smsFallbackUrl ?? null });
    const created = await createPhoneNumber(db, { accountSid: pathAccount(request).sid, phoneNumber, settings });
    return reply.status(201).send(present(await applyRoute(deps, created, request.body.SmscRoute)));
  });

  api.get(`${base}.json`, {
    schema: {
      operationId: 'ListIncomingPhoneNumber', tags, summary: 'List the account\'s numbers, newest first',
      params: AccountParams, querystring: ListPhoneNumberQuery,
      response: { 200: PhoneNumberPage, ...errorResponses(400, 401, 429) },
    },
  }, async (request) => {
    const account = pathAccount(request);
    const q = request.query;
    const plan = planPage(q, 'PN');
    const rows = await listPhoneNumbers(db, {
      accountSid: account.sid, phoneNumber: q.PhoneNumber, friendlyName: q.FriendlyName,
      position: plan.position, offset: plan.offset, limit: plan.limit,
    });
    const page = buildPage({
      path: `${phoneNumbersPath(account.sid)}.json`,
      filters: [['PhoneNumber', q.PhoneNumber], ['FriendlyName', q.FriendlyName]],
      plan, rows,
    });
    return { incoming_phone_numbers: page.records.map(present), ...page.meta };
  });

  api.get(`${base}/:Sid.json`, {
    schema: {
      operationId: 'FetchIncomingPhoneNumber', tags, summary: 'Fetch a number',
      params: NumberParams, response: { 200: IncomingPhoneNumber, ...errorResponses(401, 404, 429) },
    },
  }, async (request) => {
    const number = await findPhoneNumber(db, { accountSid: pathAccount(request).sid, sid: request.params.Sid });
    if (!number) throw notFound(pathOf(request));
    return present(number);
  });

  api.post(`${base}/:Sid.json`, {
    schema: {
      operationId: 'UpdateIncomingPhoneNumber', tags, summary: 'Change a number\'s name or webhooks', consumes,
      params: NumberParams, body: UpdatePhoneNumberBody,
      response: { 200: IncomingPhoneNumber, ...errorResponses(400, 401, 404, 429) },
    },
  }, async (request) => {
    const target = { accountSid: pathAccount(request).sid, sid: request.params.Sid };
    const current = await findPhoneNumber(db, target);
    if (!current) throw notFound(pathOf(request));
    const settings = toSettings(request.body ?? {}, deps.allowPrivateWebhookUrls);
    checkFallback({
      smsUrl: settings.smsUrl === undefined ? current.smsUrl : settings.smsUrl,
      smsFallbackUrl: settings.smsFallbackUrl === undefined ? current.smsFallbackUrl : settings.smsFallbackUrl,
    });
    const updated = await updatePhoneNumber(db, { ...target, settings });
    if (!updated) throw notFound(pathOf(request));
    return present(await applyRoute(deps, updated, request.body?.SmscRoute));
  });

  api.delete(`${base}/:Sid.json`, {
    schema: {
      operationId: 'DeleteIncomingPhoneNumber', tags, summary: 'Release a number',
      params: NumberParams, response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(401, 404, 429) },
    },
  }, async (request, reply) => {
    const deleted = await deletePhoneNumber(db, { accountSid: pathAccount(request).sid, sid: request.params.Sid });
    if (!deleted) throw notFound(pathOf(request));
    return reply.status(204).send(null);
  });
}
