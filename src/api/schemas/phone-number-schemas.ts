// Schemas of the IncomingPhoneNumbers resource.
import { Type } from 'typebox';
import { HttpMethod, Nullable, PageEnvelope, PagingQuery } from './common.js';

export const IncomingPhoneNumber = Type.Object(
  {
    account_sid: Type.String(),
    api_version: Type.String(),
    beta: Type.Boolean(),
    capabilities: Type.Object({ voice: Type.Boolean(), sms: Type.Boolean(), mms: Type.Boolean(), fax: Type.Boolean() }),
    date_created: Type.String(),
    date_updated: Type.String(),
    friendly_name: Type.String(),
    phone_number: Type.String(),
    sid: Type.String(),
    sms_application_sid: Nullable(Type.String()),
    sms_fallback_method: Type.String(),
    sms_fallback_url: Type.String(),
    sms_method: Type.String(),
    sms_url: Type.String(),
    status: Type.String(),
    status_callback: Type.String(),
    status_callback_method: Type.String(),
    uri: Type.String(),
    smsc_route: Type.Enum(['sip', 'smpp', 'default'], { description: 'Extension: the road to the SMSC of messages sent from this number' }),
  },
  {},
);

const settings = {
  FriendlyName: Type.Optional(Type.String({ maxLength: 64 })),
  SmsUrl: Type.Optional(Type.String({ description: 'Webhook for inbound messages ("" clears it)' })),
  SmsMethod: Type.Optional(HttpMethod),
  SmsFallbackUrl: Type.Optional(Type.String({ description: 'Called when SmsUrl fails; requires SmsUrl (21406)' })),
  SmsFallbackMethod: Type.Optional(HttpMethod),
  StatusCallback: Type.Optional(Type.String()),
  StatusCallbackMethod: Type.Optional(HttpMethod),
  SmscRoute: Type.Optional(Type.Enum(['sip', 'smpp', 'default'], {
    description: 'Extension: the road to the SMSC (`sip` or `smpp`) of messages sent from this number; `default` = the account\'s',
  })),
};

export const CreatePhoneNumberBody = Type.Object({
  PhoneNumber: Type.String({ description: 'E.164; unique across the installation (21422)' }),
  ...settings,
});

export const UpdatePhoneNumberBody = Type.Object(settings);

export const ListPhoneNumberQuery = Type.Object({
  PhoneNumber: Type.Optional(Type.String()),
  FriendlyName: Type.Optional(Type.String()),
  ...PagingQuery,
});

export const PhoneNumberPage = PageEnvelope('incoming_phone_numbers', IncomingPhoneNumber);
