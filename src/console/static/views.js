// One function per page of the console. Each gets the context { session, account } and returns a node (or a
// promise of one); the router in app.js swaps it in. Lists come from the console endpoints and the Twilio API.
import { paths, request } from './api.js';
import { minuteChart } from './chart.js';
import { badge, card, formatDate, h, table } from './dom.js';

const STATUSES = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'canceled', 'accepted', 'receiving', 'received'];

function stat(label, value, id) {
  return h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'stat', id }, String(value)));
}

function linkCard(link) {
  if (!link) return card('SMSC link', h('p', { class: 'muted' }, 'Not known: this process runs without the messaging pipeline.'));
  const probe = link.sip.probe;
  const probeText = probe.reachable === null ? 'no probe answered yet'
    : probe.reachable ? `answers OPTIONS (${probe.last_status ?? ''} ${probe.last_reason ?? ''})`.trim()
      : `does not answer: ${probe.last_reason ?? probe.last_status ?? 'no answer'}`;
  const tone = probe.reachable === null ? 'pending' : probe.reachable ? 'delivered' : 'failed';
  return card('SMSC link', h('dl', { class: 'fields', id: 'smsc-link' },
    h('dt', {}, 'Default route'), h('dd', {}, link.default_route.toUpperCase()),
    h('dt', {}, 'SIP transport'), h('dd', {}, badge(link.sip.transport_up ? 'up' : 'down')),
    h('dt', {}, 'SIP probe'), h('dd', { id: 'sip-probe' }, h('span', { class: `badge ${tone === 'delivered' ? 'ok' : tone === 'failed' ? 'bad' : 'warn'}` }, probeText),
      probe.last_probe_at ? h('span', { class: 'muted' }, ` at ${formatDate(probe.last_probe_at)}`) : null),
    h('dt', {}, 'SMPP binds'), h('dd', { id: 'smpp-binds' }, link.smpp ? `${link.smpp.bound} of ${link.smpp.total} bound` : 'none configured'),
  ));
}

export async function overviewView({ session, account }) {
  const o = await request(session, paths.overview(account));
  const errors = o.errors.length === 0 ? h('p', { class: 'muted' }, 'No errors in the last 24 hours.')
    : table(['Code', 'Message', 'Messages'], o.errors.map((e) => h('tr', {},
      h('td', {}, h('a', { href: `https://www.twilio.com/docs/errors/${e.code}`, rel: 'noreferrer' }, String(e.code))),
      h('td', {}, e.message ?? ''), h('td', {}, String(e.count)))), { id: 'errors' });
  return h('div', {},
    h('h1', {}, 'Overview'),
    h('div', { class: 'grid' },
      stat('Queued', o.queued, 'stat-queued'),
      stat('In flight (sending)', o.sending, 'stat-sending'),
      h('a', { href: '#/webhooks', class: 'card' }, h('div', { class: 'label' }, 'Failed webhooks'), h('div', { class: 'stat', id: 'stat-failed-webhooks' }, String(o.failed_webhooks))),
      h('a', { href: '#/receipts', class: 'card' }, h('div', { class: 'label' }, 'Unmatched receipts'), h('div', { class: 'stat', id: 'stat-unmatched' }, String(o.unmatched_receipts))),
    ),
    card(`Messages per minute by status (last ${o.minutes} minutes, by creation time)`, minuteChart(o)),
    h('div', { class: 'grid' }, linkCard(o.link), card('Recent errors by code (24 h)', errors)),
  );
}

function messageRows(messages) {
  return messages.map((m) => h('tr', {},
    h('td', { class: 'mono' }, h('a', { href: `#/messages/${m.sid}` }, m.sid)),
    h('td', {}, m.direction), h('td', {}, m.from ?? ''), h('td', {}, m.to), h('td', {}, badge(m.status)),
    h('td', {}, m.error_code === null ? '' : String(m.error_code)), h('td', { class: 'when' }, formatDate(m.date_created))));
}

export async function messagesView({ session, account, query }) {
  const field = (name, label, extra = {}) => h('label', {}, label, h('input', { name, value: query.get(name) ?? '', ...extra }));
  const status = h('select', { name: 'Status' }, h('option', { value: '' }, 'any'),
    STATUSES.map((s) => h('option', { value: s, selected: query.get('Status') === s }, s)));
  const form = h('form', {
    class: 'card search', id: 'message-search',
    onsubmit: (event) => {
      event.preventDefault();
      const data = new URLSearchParams();
      for (const [key, value] of new FormData(event.target)) if (value !== '') data.set(key, String(value));
      location.hash = `#/messages?${data}`;
    },
  }, field('Sid', 'Message SID', { placeholder: 'SM…', size: 36 }), field('Number', 'Number (To or From)', { placeholder: '+15005550006' }),
  h('label', {}, 'Status', status), field('Date', 'Created on (UTC day)', { type: 'date' }), h('button', { type: 'submit' }, 'Search'));
  const criteria = Object.fromEntries([...query].filter(([, v]) => v !== ''));
  const result = await request(session, paths.search(account, criteria));
  const list = result.messages.length === 0 ? h('p', { class: 'muted', id: 'no-messages' }, 'No message matches.')
    : table(['SID', 'Direction', 'From', 'To', 'Status', 'Error', 'Created'], messageRows(result.messages), { id: 'messages' });
  const note = result.messages.length === result.limit ? h('p', { class: 'muted' }, `The newest ${result.limit} matches; narrow the search to see older ones.`) : null;
  return h('div', {}, h('h1', {}, 'Messages'), form, card(null, list, note));
}

function eventSummary(event) {
  const d = event.detail ?? {};
  if (event.type === 'webhook') {
    if (d.outcome === 'redeliver') return `redelivery requested (attempt ${d.attempt ?? '?'}) by ${d.requestedBy ?? '?'}`;
    return `${d.url ?? ''} → ${d.httpStatus ?? d.error ?? 'no answer'}${d.outcome ? ` (${d.outcome})` : ''}`;
  }
  return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

export async function messageView({ session, account, sid }) {
  const page = await request(session, paths.message(account, sid));
  const m = page.message;
  const fields = [['SID', m.sid], ['Direction', m.direction], ['From', m.from ?? ''], ['To', m.to], ['Status', badge(m.status)],
    ['Body', m.body], ['Segments', m.num_segments], ['Error', m.error_code === null ? '—' : `${m.error_code} ${m.error_message ?? ''}`],
    ['Created', formatDate(m.date_created)], ['Sent', formatDate(m.date_sent)], ['Updated', formatDate(m.date_updated)]];
  const events = table(['When', 'Type', 'Status', 'Detail'], page.events.map((e) => h('tr', { 'data-type': e.type },
    h('td', { class: 'when' }, formatDate(e.date_created)), h('td', {}, e.type), h('td', {}, e.status ? badge(e.status) : ''),
    h('td', { class: 'mono' }, eventSummary(e)))), { id: 'events' });
  const webhooks = page.webhooks.length === 0 ? h('p', { class: 'muted' }, 'No webhook or status callback for this message.')
    : table(['Kind', 'URL', 'State', 'Attempt', 'HTTP status', 'Error', 'When'], page.webhooks.flatMap((w) =>
      (w.attempt_log.length === 0 ? [{ attempt: 0, url: w.url, http_status: null, error: null, date_created: w.date_created }] : w.attempt_log)
        .map((a) => h('tr', {}, h('td', {}, w.kind), h('td', { class: 'mono' }, a.url), h('td', {}, badge(w.state)),
          h('td', {}, a.attempt === 0 ? 'not yet' : `${a.attempt} of ${w.max_attempts}`),
          h('td', { class: 'http-status' }, a.http_status === null ? '—' : String(a.http_status)),
          h('td', {}, a.error ?? ''), h('td', { class: 'when' }, formatDate(a.date_created))))), { id: 'webhook-attempts' });
  const receipts = page.receipts.length === 0 ? h('p', { class: 'muted' }, 'No delivery receipt.')
    : table(['Received', 'Source', 'Stat', 'Err', 'Text'], page.receipts.map((r) => h('tr', {},
      h('td', { class: 'when' }, formatDate(r.date_received)), h('td', {}, r.source), h('td', {}, r.stat ?? ''), h('td', {}, r.err ?? ''),
      h('td', { class: 'mono' }, r.raw_text))), { id: 'receipts' });
  return h('div', {},
    h('h1', {}, `Message ${m.sid}`),
    card(null, h('dl', { class: 'fields', id: 'message-fields' }, fields.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
    card('History', events),
    card('Webhooks and status callbacks', webhooks),
    card('Delivery receipts', receipts),
  );
}

export async function numbersView({ session, account }) {
  const page = await request(session, paths.numbers(account));
  const url = (value, method) => (value ? h('span', { class: 'mono' }, `${method} ${value}`) : h('span', { class: 'muted' }, '—'));
  const list = page.incoming_phone_numbers.length === 0 ? h('p', { class: 'muted' }, 'No number yet (POST IncomingPhoneNumbers.json).')
    : table(['Number', 'Name', 'SMS webhook', 'Fallback', 'Status callback', 'Route'], page.incoming_phone_numbers.map((n) => h('tr', {},
      h('td', {}, n.phone_number), h('td', {}, n.friendly_name), h('td', {}, url(n.sms_url, n.sms_method)),
      h('td', {}, url(n.sms_fallback_url, n.sms_fallback_method)), h('td', {}, url(n.status_callback, n.status_callback_method)),
      h('td', {}, n.smsc_route ?? 'default'))), { id: 'numbers' });
  return h('div', {}, h('h1', {}, 'Numbers'), card(null, list));
}

export async function receiptsView({ session, account }) {
  const { receipts } = await request(session, paths.unmatchedReceipts(account));
  const list = receipts.length === 0 ? h('p', { class: 'muted' }, 'Every receipt found its message.')
    : table(['Received', 'Source', 'From (handset)', 'To (our sender)', 'Stat', 'State', 'Text'], receipts.map((r) => h('tr', {},
      h('td', { class: 'when' }, formatDate(r.date_received)), h('td', {}, r.source), h('td', {}, r.from), h('td', {}, r.to), h('td', {}, r.stat ?? ''),
      h('td', {}, r.next_match_at ? `retrying (${r.match_attempts} tries)` : `gave up after ${r.match_attempts} tries`),
      h('td', { class: 'mono' }, r.raw_text))), { id: 'unmatched-receipts' });
  return h('div', {}, h('h1', {}, 'Unmatched receipts'),
    h('p', { class: 'muted' }, 'Delivery receipts sent to your numbers (or answering your messages) that no message claimed.'), card(null, list));
}

export async function webhooksView({ session, account, rerender }) {
  const { webhooks } = await request(session, paths.failedWebhooks(account));
  const redeliver = (w) => async (event) => {
    const button = event.target;
    button.disabled = true;
    try {
      const result = await request(session, paths.redeliver(account, w.id), { method: 'POST' });
      button.replaceWith(h('span', { class: 'badge warn requeued' }, result.requeued ? 'requeued' : result.webhook.state));
    } catch (error) {
      button.disabled = false;
      button.after(h('span', { class: 'error' }, ` ${error.message}`));
    }
  };
  const list = webhooks.length === 0 ? h('p', { class: 'muted' }, 'No failed webhook.')
    : table(['Message', 'Kind', 'URL', 'Attempts', 'Last HTTP status', 'Last error', 'Failed at', ''], webhooks.map((w) => h('tr', { 'data-id': w.id },
      h('td', { class: 'mono' }, h('a', { href: `#/messages/${w.message_sid}` }, w.message_sid)), h('td', {}, w.kind),
      h('td', { class: 'mono' }, `${w.method} ${w.url}`), h('td', {}, String(w.attempts)),
      h('td', {}, w.last_http_status === null ? '—' : String(w.last_http_status)), h('td', {}, w.last_error ?? ''),
      h('td', { class: 'when' }, formatDate(w.date_completed)), h('td', {}, h('button', { type: 'button', class: 'redeliver', onclick: redeliver(w) }, 'Redeliver')))),
  { id: 'failed-webhooks' });
  return h('div', {}, h('h1', {}, 'Failed webhooks'),
    h('p', { class: 'muted' }, 'Redeliver queues one more attempt with the same parameters and idempotency token. ',
      h('a', { href: '#/webhooks', onclick: (e) => { e.preventDefault(); rerender(); } }, 'Refresh')),
    card(null, list));
}
