// The URIs the API prints in `uri`, `subresource_uris` and paging links, relative to the API root.
export const API_VERSION = '2010-04-01';

export function accountPath(accountSid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}`;
}

export function messagesPath(accountSid: string): string {
  return `${accountPath(accountSid)}/Messages`;
}

export function phoneNumbersPath(accountSid: string): string {
  return `${accountPath(accountSid)}/IncomingPhoneNumbers`;
}

export function keysPath(accountSid: string): string {
  return `${accountPath(accountSid)}/Keys`;
}
