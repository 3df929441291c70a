// The one table of every error the HTTP API can answer with. Each entry pairs our stable key with the HTTP
// status, the Twilio code and a message template ({name} placeholders); docs/errors.md is generated from it.
export interface ErrorDefinition {
  readonly status: number;
  readonly code: number;
  readonly message: string;
  /** When the error is used, for docs/errors.md. */
  readonly when: string;
}

export const ERROR_REGISTRY = {
  credentialsMissing: {
    status: 401, code: 20003, message: 'Authentication Error - No credentials provided',
    when: 'No Authorization header, or one that is not HTTP Basic.',
  },
  credentialsInvalid: {
    status: 401, code: 20003, message: 'Authentication Error - Your AccountSid or AuthToken was incorrect.',
    when: 'Unknown Account SID or API key, or a wrong Auth Token or key secret.',
  },
  accountForbidden: {
    status: 401, code: 20003,
    message: 'Authentication Error - The credentials given cannot act on account {accountSid}',
    when: 'Valid credentials naming an account they do not own (e.g. a subaccount acting on its parent or a sibling).',
  },
  keyScopeForbidden: {
    status: 401, code: 20003,
    message: 'Authentication Error - {principal} cannot use the {resource} resource',
    when: 'An API key used on /Accounts or /Keys (keys are Standard keys), or a subaccount creating a subaccount.',
  },
  notFound: {
    status: 404, code: 20404, message: 'The requested resource {path} was not found',
    when: 'Unknown route, or a resource that does not exist in the account named in the path.',
  },
  tooManyRequests: {
    status: 429, code: 20429, message: 'Too Many Requests',
    when: 'The account exceeded the configured API request rate (twilio-node retries 429 with autoRetry).',
  },
  deleteInProgress: {
    status: 409, code: 20009, message: 'Cannot delete this resource before it is complete',
    when: 'DELETE of a message that is still queued, sending or receiving.',
  },
  invalidParameter: {
    status: 400, code: 70002, message: 'Invalid parameter {name}: {reason}',
    when: 'A parameter of the wrong type or format that has no more specific Twilio code (e.g. PageSize 0, a bad date filter).',
  },
  unsupportedContentType: {
    status: 415, code: 70002, message: 'Unsupported Content-Type {contentType}: send application/x-www-form-urlencoded or application/json',
    when: 'A request body that is neither form-encoded nor JSON (text/plain included).',
  },
  malformedBody: {
    status: 400, code: 70002, message: 'The request body could not be parsed: {reason}',
    when: 'Malformed JSON or form body.',
  },
  invalidPageToken: {
    status: 400, code: 21481, message: 'Invalid PageToken',
    when: 'A PageToken this server did not issue.',
  },
  toRequired: {
    status: 400, code: 21604, message: "A 'To' phone number is required.",
    when: 'Message create without To.',
  },
  invalidTo: {
    status: 400, code: 21211, message: "The 'To' number {to} is not a valid phone number.",
    when: 'To is not E.164 (+ and 1-15 digits, no leading 0).',
  },
  toEqualsFrom: {
    status: 400, code: 21266, message: "'To' and 'From' numbers cannot be the same.",
    when: 'Message create whose To is the same number as its From.',
  },
  fromRequired: {
    status: 400, code: 21603, message: "A 'From' phone number is required.",
    when: 'Message create without From.',
  },
  invalidFrom: {
    status: 400, code: 21212,
    message: "The 'From' number {from} is not a valid phone number, shortcode, or alphanumeric sender ID.",
    when: 'From is neither E.164 nor an alphanumeric sender ID (1-11 of [A-Za-z0-9 ] with at least one letter).',
  },
  fromNotOwned: {
    status: 400, code: 21606,
    message: "The 'From' phone number provided ({from}) is not a valid message-capable Twilio phone number for this destination/account.",
    when: 'From is an E.164 number that is not one of the account\'s incoming phone numbers.',
  },
  bodyRequired: {
    status: 400, code: 21602, message: 'Message body is required.',
    when: 'Message create without Body (and without SmscBinaryBody).',
  },
  bodyTooLong: {
    status: 400, code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.',
    when: 'Body longer than 1,600 characters (UTF-16 code units), or a binary payload longer than 1,600 octets.',
  },
  mediaNotSupported: {
    status: 400, code: 21620, message: 'Invalid media URL(s): MediaUrl is not supported, this gateway sends SMS only.',
    when: 'Message create with MediaUrl.',
  },
  featureNotSupported: {
    status: 400, code: 70002, message: '{name} is not supported by this gateway: {reason}',
    when: 'ContentSid and other Twilio features without an SMSC equivalent.',
  },
  invalidSmscParameter: {
    status: 400, code: 70002, message: 'Invalid parameter {name}: {reason}',
    when: 'An extension parameter (SmscUdh, SmscCoding, SmscBinaryBody, SmscMessageClass) that is malformed or contradicts another.',
  },
  invalidStatusCallback: {
    status: 400, code: 21609, message: 'Invalid StatusCallback url: {url}',
    when: 'StatusCallback is not an absolute http(s) URL with a hostname free of underscores, or (WEBHOOK_ALLOW_PRIVATE_URLS=false) names a private IP address.',
  },
  updateParametersInvalid: {
    status: 400, code: 30400, message: 'Parameters are not valid: {reason}',
    when: 'Message update with neither Body nor Status, both, a Status other than canceled, a non-empty Body, or redaction of an unfinished message.',
  },
  cannotCancel: {
    status: 400, code: 30409, message: 'This message cannot be canceled',
    when: 'Status=canceled on a message that is no longer queued, accepted or scheduled.',
  },
  invalidPhoneNumber: {
    status: 400, code: 21421, message: 'PhoneNumber is invalid: {phoneNumber} is not an E.164 number',
    when: 'IncomingPhoneNumber create with a PhoneNumber that is not E.164.',
  },
  phoneNumberRequired: {
    status: 400, code: 21421, message: 'PhoneNumber is required',
    when: 'IncomingPhoneNumber create without PhoneNumber.',
  },
  phoneNumberTaken: {
    status: 400, code: 21422, message: 'PhoneNumber {phoneNumber} is not available: it is already provisioned on this installation',
    when: 'IncomingPhoneNumber create with a number any account already has (numbers are unique per installation).',
  },
  invalidWebhookUrl: {
    status: 400, code: 21502, message: 'Invalid {name}: {url}',
    when: 'SmsUrl, SmsFallbackUrl or StatusCallback of a phone number that is not an absolute http(s) URL, or (WEBHOOK_ALLOW_PRIVATE_URLS=false) names a private IP address.',
  },
  fallbackWithoutUrl: {
    status: 400, code: 21406, message: 'SmsFallbackUrl requires SmsUrl',
    when: 'A phone number with SmsFallbackUrl but no SmsUrl.',
  },
  serviceNotFound: {
    status: 404, code: 21701, message: 'The Messaging Service {sid} does not exist',
    when: 'Message create with a MessagingServiceSid (or an MG… From) that is not a service of the account.',
  },
  invalidServiceSid: {
    status: 400, code: 21705, message: 'The Messaging Service SID {sid} is invalid',
    when: 'MessagingServiceSid that is not MG followed by 32 hex digits.',
  },
  serviceHasNoSenders: {
    status: 400, code: 21704, message: 'The Messaging Service {sid} contains no phone numbers',
    when: 'Message create through a service whose sender pool is empty.',
  },
  fromNotInService: {
    status: 400, code: 21606,
    message: "The 'From' phone number provided ({from}) is not in the sender pool of Messaging Service {sid}.",
    when: 'Message create with both From and MessagingServiceSid, where From is not one of the pool\'s numbers.',
  },
  invalidPoolNumberSid: {
    status: 400, code: 21421, message: 'PhoneNumberSid {sid} is not a phone number of this account',
    when: 'Adding to a sender pool a PhoneNumberSid the account does not own.',
  },
  poolNumberAlreadyInService: {
    status: 400, code: 21710, message: 'Phone number {sid} is already in this Messaging Service',
    when: 'Adding a number to the pool it is already in.',
  },
  poolNumberInOtherService: {
    status: 400, code: 21712, message: 'Phone number {sid} already belongs to another Messaging Service',
    when: 'Adding a number held by another service (a number is in one service at most).',
  },
  invalidUsecase: {
    status: 400, code: 21713, message: 'Usecase {usecase} is invalid',
    when: 'Service create or update with a Usecase outside notifications, marketing, verification, discussion, poll, undeclared.',
  },
  sendAtMissing: {
    status: 400, code: 35111, message: 'SendAt timestamp is missing',
    when: 'ScheduleType=fixed without SendAt.',
  },
  sendAtOutOfWindow: {
    status: 400, code: 35114, message: 'Scheduling does not support this timestamp: SendAt must be more than {minSeconds} s and at most {maxSeconds} s in the future',
    when: 'SendAt outside the scheduling window (SCHEDULE_MIN_LEAD_S, SCHEDULE_MAX_LEAD_S).',
  },
  sendAtInvalid: {
    status: 400, code: 35115, message: 'Scheduling does not support this timestamp: {sendAt} is not an ISO 8601 date-time',
    when: 'SendAt that cannot be read as an ISO 8601 date-time.',
  },
  scheduleNeedsService: {
    status: 400, code: 35118, message: 'MessagingServiceSid is required to schedule a message',
    when: 'ScheduleType/SendAt with a plain From and no Messaging Service.',
  },
  scheduleTypeUnsupported: {
    status: 400, code: 35126, message: 'ScheduleType value {scheduleType} is not supported for this channel',
    when: 'ScheduleType other than fixed.',
  },
  recipientOptedOut: {
    status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient',
    when: 'A plain-From send to a recipient who sent STOP to that number (service sends fail after acceptance instead).',
  },
  conflict: {
    status: 409, code: 20409, message: 'The resource conflicts with an existing one: {detail}',
    when: 'A unique constraint the API did not check first (translated Prisma P2002).',
  },
  databaseTimedOut: {
    status: 503, code: 20503,
    message: 'Service Unavailable - the database did not answer in time; the request was not carried out. Try it again.',
    when: 'A database statement of the request ran out of API_STATEMENT_TIMEOUT_MS (a lock held elsewhere, an overloaded or unreachable server); PostgreSQL cancelled it, so nothing was written.',
  },
  databaseUnavailable: {
    status: 503, code: 20503,
    message: 'Service Unavailable - the database takes no writes now (read-only, or out of resources); the request was not carried out. Try it again later.',
    when: 'PostgreSQL refused the statement as a whole: a read-only server (25006, e.g. a demoted primary after a failover) or insufficient resources (class 53: disk full, out of memory, too many connections).',
  },
  databaseConnectionLost: {
    status: 503, code: 20503,
    message: 'Service Unavailable - the connection to the database was lost; a change this request asked for may or may not have been made. Check before repeating it.',
    when: 'The database connection broke under a request other than a message create (a server restart, failover or terminated backend).',
  },
  messageCommitUnknown: {
    status: 503, code: 20503,
    message: 'Service Unavailable - the connection to the database was lost while message {sid} was being stored, and it could not be checked in time. It may have been stored, and will then be sent: fetch {sid} before creating it again.',
    when: 'Message create whose insert lost its connection and whose outcome could not be read back within API_STATEMENT_TIMEOUT_MS (docs/faults.md).',
  },
  internal: {
    status: 500, code: 20500, message: 'Internal Server Error',
    when: 'Anything unexpected; the details are logged, never returned.',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorKey = keyof typeof ERROR_REGISTRY;

export function moreInfoUrl(code: number): string {
  return `https://www.twilio.com/docs/errors/${code}`;
}
