// Schemas of the Accounts and Keys resources.
import { Type } from 'typebox';
import { Nullable, PageEnvelope, PagingQuery } from './common.js';

export const AccountResource = Type.Object(
  {
    auth_token: Type.String(),
    date_created: Type.String(),
    date_updated: Type.String(),
    friendly_name: Type.String(),
    owner_account_sid: Nullable(Type.String()),
    sid: Type.String(),
    status: Type.String(),
    subresource_uris: Type.Object({ messages: Type.String(), incoming_phone_numbers: Type.String(), keys: Type.String() }),
    type: Type.String(),
    uri: Type.String(),
  },
  {},
);

export const CreateAccountBody = Type.Object({ FriendlyName: Type.Optional(Type.String({ maxLength: 64 })) });

export const AccountPage = PageEnvelope('accounts', AccountResource);

export const Key = Type.Object(
  { sid: Type.String(), friendly_name: Type.String(), date_created: Type.String(), date_updated: Type.String() },
  {},
);

export const NewKey = Type.Object(
  {
    sid: Type.String(),
    friendly_name: Type.String(),
    date_created: Type.String(),
    date_updated: Type.String(),
    secret: Type.String({ description: 'Shown once; use it with the SK… sid as Basic credentials' }),
  },
  {},
);

export const KeyBody = Type.Object({ FriendlyName: Type.Optional(Type.String({ maxLength: 64 })) });

export const KeyPage = PageEnvelope('keys', Key);

export const ListQuery = Type.Object({ ...PagingQuery });
