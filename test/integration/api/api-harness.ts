// Starts the real app on 127.0.0.1 (ephemeral port) over a given database and hands out twilio SDK clients
// pointed at it (client.api.baseUrl and client.messaging.baseUrl, spec §9.2).
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import twilio from 'twilio';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppConfig } from '../../../src/app.js';
import type { Database } from '../../../src/store/database.js';
import type { MessageWriter } from '../../../src/messaging/ports.js';
import { createAccount, type Account } from '../../../src/store/account-store.js';

export interface ApiHarness {
  app: FastifyInstance;
  baseUrl: string;
  db: Database;
  close(): Promise<void>;
}

export async function startApi(options: { db: Database; config?: AppConfig; messageWriter?: MessageWriter }): Promise<ApiHarness> {
  const app = await buildApp({
    db: options.db, logger: pino({ level: 'silent' }), config: options.config ?? {},
    ...(options.messageWriter ? { messageWriter: options.messageWriter } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, db: options.db, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export type TwilioClient = ReturnType<typeof twilio>;

/** A twilio SDK client for `username:password`, acting on `accountSid` (defaults to the username). */
export function sdkClient(baseUrl: string, username: string, password: string, accountSid?: string): TwilioClient {
  const client = accountSid === undefined ? twilio(username, password) : twilio(username, password, { accountSid });
  client.api.baseUrl = baseUrl;
  // Messaging Services v1 is a separate domain (messaging.twilio.com) with its own base URL (services spec §2.1).
  client.messaging.baseUrl = baseUrl;
  return client;
}

export async function newAccount(db: Database, name = 'Test account'): Promise<Account> {
  return createAccount(db, { friendlyName: name });
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Raw HTTP, to see the exact JSON and status the SDK hides. */
export async function rawRequest(options: {
  baseUrl: string;
  path: string;
  method?: string;
  auth?: string;
  form?: Record<string, string>;
}): Promise<{ status: number; json: unknown; text: string }> {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = options.auth;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(options.baseUrl + options.path, { method: options.method ?? 'GET', headers, body });
  const text = await response.text();
  return { status: response.status, text, json: text === '' ? null : JSON.parse(text) };
}

/** Expects `promise` to reject with a twilio RestException carrying exactly these fields. */
export async function restError(promise: Promise<unknown>): Promise<{ status: number; code: number; message: string; moreInfo: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status: number; code: number; message: string; moreInfo: string; constructor: { name: string } };
    if (e.constructor.name !== 'RestException') throw error;
    return { status: e.status, code: e.code, message: e.message, moreInfo: e.moreInfo };
  }
  throw new Error('expected the request to fail');
}
