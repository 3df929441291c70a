// Messaging Services API v1 (messaging.twilio.com/v1 on Twilio; here on the same server): Services and their
// PhoneNumbers sender pool. No AccountSid in these paths: the credentials name the account (spec §2.2).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { AppError } from '../../errors/app-error.js';
import { isValidCallbackUrl } from '../../messaging/outbound-draft.js';
import { literalPrivateHost } from '../../webhooks/address-ranges.js';
import {
  addPoolNumber, createService, deleteService, findPoolNumber, findService, listPoolNumbers, listServices,
  removePoolNumber, updateService, type ServiceSettings,
} from '../../store/service-store.js';
import { requirePrincipal, type ApiDeps } from '../api-deps.js';
import { pathOf } from '../error-handler.js';
import { errorResponses } from '../schemas/common.js';
import {
  CreateServiceBody, CreateServiceNumberBody, Service, ServiceNumber, ServiceNumberListParams, ServiceNumberParams,
  ServiceParams, UpdateServiceBody, USECASES, V1Page, V1PagingQuery,
} from '../schemas/service-schemas.js';
import { originOf, presentService, presentServiceNumber, V1_ROOT, v1Page } from '../service-presenters.js';

const tags = ['Messaging Services'];
const consumes = ['application/x-www-form-urlencoded', 'application/json'];

type ServiceBody = Partial<Static<typeof UpdateServiceBody>>;

/** Request parameters → stored settings; "" clears a URL or restores a default reply. */
function toSettings(body: ServiceBody, allowPrivateUrls: boolean): ServiceSettings {
  const url = (name: string, value: string | undefined): string | null | undefined => {
    if (value === undefined || value === '') return value === '' ? null : undefined;
    if (!isValidCallbackUrl(value)) throw new AppError('invalidWebhookUrl', { name, url: value });
    if (!allowPrivateUrls && literalPrivateHost(value) !== null) throw new AppError('invalidWebhookUrl', { name, url: value });
    return value;
  };
  const text = (value: string | undefined): string | null | undefined => (value === '' ? null : value);
  if (body.Usecase !== undefined && !(USECASES as readonly string[]).includes(body.Usecase)) {
    throw new AppError('invalidUsecase', { usecase: body.Usecase });
  }
  return {
    friendlyName: body.FriendlyName,
    inboundRequestUrl: url('InboundRequestUrl', body.InboundRequestUrl),
    inboundMethod: body.InboundMethod,
    fallbackUrl: url('FallbackUrl', body.FallbackUrl),
    fallbackMethod: body.FallbackMethod,
    statusCallback: url('StatusCallback', body.StatusCallback),
    stickySender: body.StickySender,
    mmsConverter: body.MmsConverter,
    smartEncoding: body.SmartEncoding,
    scanMessageContent: body.ScanMessageContent,
    fallbackToLongCode: body.FallbackToLongCode,
    areaCodeGeomatch: body.AreaCodeGeomatch,
    synchronousValidation: body.SynchronousValidation,
    validityPeriod: body.ValidityPeriod,
    usecase: body.Usecase,
    useInboundWebhookOnNumber: body.UseInboundWebhookOnNumber,
    optOutReply: text(body.SmscOptOutReply),
    optInReply: text(body.SmscOptInReply),
    helpReply: text(body.SmscHelpReply),
  };
}

export function registerServiceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  const accountOf = (request: FastifyRequest) => requirePrincipal(request).accountSid;
  const notFound = (request: FastifyRequest) => new AppError('notFound', { path: pathOf(request) });
  async function serviceOf(request: FastifyRequest, sid: string) {
    const service = await findService(db, { accountSid: accountOf(request), sid });
    if (!service) throw notFound(request);
    return service;
  }

  api.post(V1_ROOT, {
    schema: {
      operationId: 'CreateService', tags, summary: 'Create a Messaging Service', consumes,
      body: CreateServiceBody, response: { 201: Service, ...errorResponses(400, 401, 429) },
    },
  }, async (request, reply) => {
    const settings = toSettings(request.body, deps.allowPrivateWebhookUrls);
    const service = await createService(db, { accountSid: accountOf(request), settings: { ...settings, friendlyName: request.body.FriendlyName } });
    return reply.status(201).send(presentService(originOf(request), service));
  });

  api.get(V1_ROOT, {
    schema: {
      operationId: 'ListService', tags, summary: 'List the account\'s Messaging Services, newest first',
      querystring: V1PagingQuery, response: { 200: V1Page('services', Service), ...errorResponses(400, 401, 429) },
    },
  }, async (request) => {
    const pageSize = request.query.PageSize ?? 50;
    const page = request.query.Page ?? 0;
    const rows = await listServices(db, { accountSid: accountOf(request), offset: page * pageSize, limit: pageSize + 1 });
    const origin = originOf(request);
    const result = v1Page({ origin, path: V1_ROOT, key: 'services', page, pageSize, rows });
    return { services: result.records.map((s) => presentService(origin, s)), meta: result.meta };
  });

  api.get(`${V1_ROOT}/:Sid`, {
    schema: {
      operationId: 'FetchService', tags, summary: 'Fetch a Messaging Service',
      params: ServiceParams, response: { 200: Service, ...errorResponses(401, 404, 429) },
    },
  }, async (request) => presentService(originOf(request), await serviceOf(request, request.params.Sid)));

  api.post(`${V1_ROOT}/:Sid`, {
    schema: {
      operationId: 'UpdateService', tags, summary: 'Change the settings sent; the others stay', consumes,
      params: ServiceParams, body: UpdateServiceBody, response: { 200: Service, ...errorResponses(400, 401, 404, 429) },
    },
  }, async (request) => {
    const settings = toSettings(request.body ?? {}, deps.allowPrivateWebhookUrls);
    const updated = await updateService(db, { accountSid: accountOf(request), sid: request.params.Sid, settings });
    if (!updated) throw notFound(request);
    return presentService(originOf(request), updated);
  });

  api.delete(`${V1_ROOT}/:Sid`, {
    schema: {
      operationId: 'DeleteService', tags, summary: 'Delete a Messaging Service (its pool is emptied; its messages stay)',
      params: ServiceParams, response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(401, 404, 429) },
    },
  }, async (request, reply) => {
    if (!(await deleteService(db, { accountSid: accountOf(request), sid: request.params.Sid }))) throw notFound(request);
    return reply.status(204).send(null);
  });

  api.post(`${V1_ROOT}/:ServiceSid/PhoneNumbers`, {
    schema: {
      operationId: 'CreatePhoneNumber', tags, summary: 'Add one of the account\'s numbers to the sender pool', consumes,
      params: ServiceNumberListParams, body: CreateServiceNumberBody, response: { 201: ServiceNumber, ...errorResponses(400, 401, 404, 429) },
    },
  }, async (request, reply) => {
    const service = await serviceOf(request, request.params.ServiceSid);
    const number = await addPoolNumber(db, { accountSid: service.accountSid, serviceSid: service.sid, phoneNumberSid: request.body.PhoneNumberSid });
    return reply.status(201).send(presentServiceNumber(originOf(request), number));
  });

  api.get(`${V1_ROOT}/:ServiceSid/PhoneNumbers`, {
    schema: {
      operationId: 'ListPhoneNumber', tags, summary: 'List the sender pool\'s numbers, oldest first',
      params: ServiceNumberListParams, querystring: V1PagingQuery,
      response: { 200: V1Page('phone_numbers', ServiceNumber), ...errorResponses(400, 401, 404, 429) },
    },
  }, async (request) => {
    const service = await serviceOf(request, request.params.ServiceSid);
    const pageSize = request.query.PageSize ?? 50;
    const page = request.query.Page ?? 0;
    const rows = await listPoolNumbers(db, { serviceSid: service.sid, offset: page * pageSize, limit: pageSize + 1 });
    const origin = originOf(request);
    const result = v1Page({ origin, path: `${V1_ROOT}/${service.sid}/PhoneNumbers`, key: 'phone_numbers', page, pageSize, rows });
    return { phone_numbers: result.records.map((n) => presentServiceNumber(origin, n)), meta: result.meta };
  });

  api.get(`${V1_ROOT}/:ServiceSid/PhoneNumbers/:Sid`, {
    schema: {
      operationId: 'FetchPhoneNumber', tags, summary: 'Fetch a pool number',
      params: ServiceNumberParams, response: { 200: ServiceNumber, ...errorResponses(401, 404, 429) },
    },
  }, async (request) => {
    const service = await serviceOf(request, request.params.ServiceSid);
    const number = await findPoolNumber(db, service.sid, request.params.Sid);
    if (!number) throw notFound(request);
    return presentServiceNumber(originOf(request), number);
  });

  api.delete(`${V1_ROOT}/:ServiceSid/PhoneNumbers/:Sid`, {
    schema: {
      operationId: 'DeletePhoneNumber', tags, summary: 'Remove a number from the pool (its sticky-sender mappings go with it)',
      params: ServiceNumberParams, response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(401, 404, 429) },
    },
  }, async (request, reply) => {
    const service = await serviceOf(request, request.params.ServiceSid);
    if (!(await removePoolNumber(db, { serviceSid: service.sid, phoneNumberSid: request.params.Sid }))) throw notFound(request);
    return reply.status(204).send(null);
  });
}
