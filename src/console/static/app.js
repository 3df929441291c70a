// The console's entry: sign-in, the account picker and a hash router (#/overview, #/messages?…, #/messages/SM…,
// #/numbers, #/receipts, #/webhooks). Nothing is rendered before the server has accepted the credentials.
import { ApiError, loadSession, paths, request, saveSession } from './api.js';
import { h } from './dom.js';
import { messagesView, messageView, numbersView, overviewView, receiptsView, webhooksView } from './views.js';

const OVERVIEW_REFRESH_MS = 5_000;
const $ = (id) => document.getElementById(id);
let refreshTimer;
let rendering = 0;

function route() {
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(search);
  const message = /^\/messages\/((SM|MM)[0-9a-fA-F]{32})$/.exec(path);
  if (message) return { name: 'messages', view: messageView, sid: message[1], query };
  const views = { '/messages': messagesView, '/numbers': numbersView, '/receipts': receiptsView, '/webhooks': webhooksView };
  const name = (path ?? '').slice(1);
  return views[path] ? { name, view: views[path], query } : { name: 'overview', view: overviewView, query };
}

async function render() {
  clearInterval(refreshTimer);
  const session = loadSession();
  if (!session) return showSignIn();
  const current = route();
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.dataset.view === current.name);
  const ticket = ++rendering;
  const context = { session, account: session.accountSid, sid: current.sid, query: current.query, rerender: render };
  try {
    const node = await current.view(context);
    if (ticket !== rendering) return; // the user moved on meanwhile
    $('view').replaceChildren(node);
    document.title = `${node.querySelector('h1')?.textContent ?? 'Console'} · smsc-connect`;
  } catch (error) {
    if (ticket !== rendering) return;
    if (error instanceof ApiError && error.status === 401) return signOut(error.message);
    $('view').replaceChildren(h('div', { class: 'card' }, h('h1', {}, error instanceof ApiError && error.status === 404 ? 'Not found' : 'Error'),
      h('p', { class: 'error', role: 'alert' }, error.message)));
  }
  if (current.view === overviewView) refreshTimer = setInterval(refreshOverview, OVERVIEW_REFRESH_MS);
}

async function refreshOverview() {
  const session = loadSession();
  if (!session || route().view !== overviewView) return clearInterval(refreshTimer);
  try {
    const node = await overviewView({ session, account: session.accountSid });
    if (route().view === overviewView) $('view').replaceChildren(node);
  } catch {
    // A failed refresh keeps the last picture; the next navigation shows the error.
  }
}

function showSignIn(message = '') {
  $('nav').hidden = true;
  $('session').hidden = true;
  $('view').replaceChildren();
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
}

function signOut(message) {
  saveSession(null);
  showSignIn(message);
}

async function showSession(session, info) {
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('session').hidden = false;
  const picker = $('account-picker');
  picker.replaceChildren(...info.accounts.map((a) =>
    h('option', { value: a.sid, selected: a.sid === session.accountSid }, `${a.friendly_name} (${a.sid})${a.sid === info.account_sid ? '' : ' · subaccount'}`)));
  await render();
}

async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const credentials = { username: String(form.get('username')).trim(), password: String(form.get('password')) };
  try {
    const info = await request(credentials, paths.session());
    const session = { ...credentials, accountSid: info.account_sid };
    saveSession(session);
    event.target.reset();
    await showSession(session, info);
  } catch (error) {
    $('sign-in-error').textContent = error instanceof ApiError && error.status === 401 ? 'Those credentials were not accepted.' : error.message;
  }
}

async function start() {
  $('sign-in').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', () => signOut(''));
  $('account-picker').addEventListener('change', (event) => {
    const session = loadSession();
    if (!session) return;
    saveSession({ ...session, accountSid: event.target.value });
    location.hash = '#/overview';
    void render();
  });
  window.addEventListener('hashchange', () => void render());
  const session = loadSession();
  if (!session) return showSignIn();
  try {
    await showSession(session, await request(session, paths.session()));
  } catch (error) {
    signOut(error instanceof ApiError && error.status === 401 ? 'Please sign in again.' : error.message);
  }
}

void start();
