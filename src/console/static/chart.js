// Messages per minute by status as stacked bars: one inline SVG drawn from the overview's per-minute counts.
const SVG = 'http://www.w3.org/2000/svg';

export const STATUS_COLOURS = {
  queued: '#9aa5b5', accepted: '#b7c0cc', sending: '#5b8def', sent: '#3aa6b9', delivered: '#2e9e5b',
  undelivered: '#e08a2c', failed: '#d0453a', canceled: '#6b7280', receiving: '#b58bd6', received: '#8256b0',
};
const ORDER = Object.keys(STATUS_COLOURS);

function el(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Groups [{minute, status, count}] into the last `minutes` minutes ending at `now`, oldest first. */
export function bucketByMinute(rows, minutes, now) {
  const last = Math.floor(new Date(now).getTime() / 60_000);
  const buckets = Array.from({ length: minutes }, (_, i) => ({ minute: last - minutes + 1 + i, counts: {} }));
  for (const row of rows) {
    const index = Math.floor(new Date(row.minute).getTime() / 60_000) - (last - minutes + 1);
    if (index >= 0 && index < minutes) buckets[index].counts[row.status] = (buckets[index].counts[row.status] ?? 0) + row.count;
  }
  return buckets;
}

function statusesIn(buckets) {
  const seen = new Set(buckets.flatMap((b) => Object.keys(b.counts)));
  return [...ORDER.filter((s) => seen.has(s)), ...[...seen].filter((s) => !ORDER.includes(s)).sort()];
}

/** The chart as a <figure>: the SVG and a legend with each status's total. */
export function minuteChart(overview) {
  const buckets = bucketByMinute(overview.per_minute, overview.minutes, overview.now);
  const statuses = statusesIn(buckets);
  const width = 960, height = 220, left = 36, bottom = 22, top = 8;
  const max = Math.max(1, ...buckets.map((b) => Object.values(b.counts).reduce((a, n) => a + n, 0)));
  const scale = (height - bottom - top) / max;
  const slot = (width - left) / buckets.length;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Messages per minute by status, last hour', preserveAspectRatio: 'none' });
  // Grid lines at whole counts only: 0, about half, and the tallest bar.
  for (const value of new Set([0, Math.round(max / 2), max])) {
    const y = height - bottom - value * scale;
    svg.append(el('line', { x1: left, x2: width, y1: y, y2: y, stroke: '#dde2ea' }));
    svg.append(el('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5f6b7a' }, String(value)));
  }
  buckets.forEach((bucket, i) => {
    let y = height - bottom;
    for (const status of statuses) {
      const count = bucket.counts[status] ?? 0;
      if (count === 0) continue;
      const barHeight = count * scale;
      y -= barHeight;
      const rect = el('rect', {
        x: left + i * slot + 1, y, width: Math.max(1, slot - 2), height: barHeight,
        fill: STATUS_COLOURS[status] ?? '#444', 'data-status': status, 'data-count': count,
      });
      rect.append(el('title', {}, `${new Date(bucket.minute * 60_000).toISOString().slice(11, 16)} UTC: ${count} ${status}`));
      svg.append(rect);
    }
    if ((i % 10 === 0 && i < buckets.length - 5) || i === buckets.length - 1) {
      const label = new Date(bucket.minute * 60_000).toISOString().slice(11, 16);
      const anchor = i === buckets.length - 1 ? 'end' : 'middle';
      svg.append(el('text', { x: left + (i + (anchor === 'end' ? 1 : 0.5)) * slot, y: height - 6, 'text-anchor': anchor, 'font-size': 11, fill: '#5f6b7a' }, label));
    }
  });
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.style.margin = '0';
  figure.append(svg);
  const legend = document.createElement('figcaption');
  legend.className = 'legend';
  for (const status of statuses) {
    const total = buckets.reduce((sum, b) => sum + (b.counts[status] ?? 0), 0);
    const item = document.createElement('span');
    item.dataset.status = status;
    const swatch = document.createElement('i');
    swatch.style.background = STATUS_COLOURS[status] ?? '#444';
    item.append(swatch, `${status} ${total}`);
    legend.append(item);
  }
  if (statuses.length === 0) legend.append('No messages in the last hour.');
  figure.append(legend);
  return figure;
}
