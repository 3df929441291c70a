// Building DOM nodes without innerHTML: every value from the server is set as text, so a message body or a
// webhook URL can never become markup.
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

export function table(headers, rows, attributes = {}) {
  return h('table', attributes,
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', {}, header)))),
    h('tbody', {}, rows));
}

const STATUS_TONE = {
  delivered: 'ok', received: 'ok', succeeded: 'ok', sent: 'ok', up: 'ok', down: 'bad',
  queued: '', sending: '', accepted: '', receiving: '', pending: 'warn',
  undelivered: 'bad', failed: 'bad', canceled: 'warn',
};

export function badge(text) {
  return h('span', { class: `badge ${STATUS_TONE[text] ?? ''}` }, text ?? '—');
}

export function formatDate(value) {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function card(title, ...children) {
  return h('div', { class: 'card' }, title ? h('h2', {}, title) : null, children);
}
