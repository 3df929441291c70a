// Schemas shared by every route: Twilio's error body, SID path parameters, paging parameters and envelopes.
import { Type, type TSchema } from 'typebox';

export const TwilioError = Type.Object(
  {
    code: Type.Integer({ description: 'Twilio error code, e.g. 21211' }),
    message: Type.String(),
    more_info: Type.String({ description: 'https://www.twilio.com/docs/errors/<code>' }),
    status: Type.Integer({ description: 'The HTTP status, repeated' }),
  },
  { description: "Twilio's error body: exactly these four keys." },
);

/** Response entries for the given error statuses, all in Twilio's shape. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, TwilioError]));
}

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const sidPattern = (prefix: string) => `^${prefix}[0-9a-fA-F]{32}$`;

export const AccountSid = Type.String({ pattern: sidPattern('AC'), description: 'The account (AC…) the request acts on' });
export const MessageSid = Type.String({ pattern: '^(SM|MM)[0-9a-fA-F]{32}$', description: 'Message SID' });
export const PhoneNumberSid = Type.String({ pattern: sidPattern('PN'), description: 'IncomingPhoneNumber SID' });
export const KeySid = Type.String({ pattern: sidPattern('SK'), description: 'API key SID' });

export const AccountParams = Type.Object({ AccountSid });

export const HttpMethod = Type.Union([Type.Literal('GET'), Type.Literal('POST')]);

export const PagingQuery = {
  PageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'Records per page, 1-1000' })),
  Page: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Page index, for client state only' })),
  PageToken: Type.Optional(Type.String({ description: 'Opaque token from next_page_uri / previous_page_uri' })),
};

/** Twilio's list envelope: the records under `key`, plus the paging fields and nothing else. */
export function PageEnvelope<T extends TSchema>(key: string, item: T) {
  return Type.Object({
    [key]: Type.Array(item),
    end: Type.Integer(),
    first_page_uri: Type.String(),
    next_page_uri: Nullable(Type.String()),
    page: Type.Integer(),
    page_size: Type.Integer(),
    previous_page_uri: Nullable(Type.String()),
    start: Type.Integer(),
    uri: Type.String(),
  });
}
