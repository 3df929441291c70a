// The console's HTTP client. The credentials the user typed stay in sessionStorage (this tab only, gone when it
// closes) and go with every request as HTTP Basic, exactly as an API client would send them: the server applies
// the API's own authentication and account rule to every console request.
const STORE_KEY = 'smsc-connect-console';

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.code = body ? body.code : undefined;
  }
}

/** { username, password, accountSid } or null. */
export function loadSession() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE_KEY) ?? 'null');
  } catch {
    return null;
  }
}

export function saveSession(session) {
  if (session) sessionStorage.setItem(STORE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORE_KEY);
}

function authorization(session) {
  const bytes = new TextEncoder().encode(`${session.username}:${session.password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** GET or POST a JSON endpoint of this server; rejects with ApiError on a non-2xx answer. */
export async function request(session, path, options = {}) {
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers: { authorization: authorization(session), accept: 'application/json' },
    cache: 'no-store',
  });
  const text = await response.text();
  const body = text === '' ? null : JSON.parse(text);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

const enc = encodeURIComponent;

/** Paths of the endpoints the console uses: its own under /console/api, and the Twilio API's. */
export const paths = {
  session: () => '/console/api/session',
  overview: (account) => `/console/api/Accounts/${enc(account)}/overview`,
  search: (account, query) => `/console/api/Accounts/${enc(account)}/messages?${new URLSearchParams(query)}`,
  message: (account, sid) => `/console/api/Accounts/${enc(account)}/messages/${enc(sid)}`,
  unmatchedReceipts: (account) => `/console/api/Accounts/${enc(account)}/receipts/unmatched`,
  failedWebhooks: (account) => `/console/api/Accounts/${enc(account)}/webhooks/failed`,
  redeliver: (account, id) => `/console/api/Accounts/${enc(account)}/webhooks/${enc(id)}/redeliver`,
  numbers: (account) => `/2010-04-01/Accounts/${enc(account)}/IncomingPhoneNumbers.json?PageSize=200`,
};
