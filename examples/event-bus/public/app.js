// The overview page: every second it reads GET /stats, /subscriptions and /replays and redraws. Names and
// filters come from clients: they are set as text, never as HTML.

const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);
const number = new Intl.NumberFormat('en');
const rate = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/** An element with attributes and children (strings become text nodes). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children.map((child) => (typeof child === 'string' || typeof child === 'number' ? String(child) : child)));
  return element;
}

function connection(state, text) {
  const badge = $('connection');
  badge.className = `health ${state}`;
  badge.lastElementChild.textContent = text;
}

function rows(table, items, columns, empty) {
  const body = $(table).tBodies[0];
  if (items.length === 0) return body.replaceChildren(h('tr', {}, h('td', { colspan: columns, class: 'empty' }, empty)));
  body.replaceChildren(...items);
}

const statusBadge = { running: 'good', completed: 'good', joining: 'warn', stopped: 'neutral', cancelled: 'neutral', failed: 'bad' };

function render(stats, subscriptions, replays) {
  $('stat-published').textContent = number.format(stats.total_events_published);
  $('stat-published-rate').textContent = `${rate.format(stats.published_per_second)}/s · ${number.format(stats.bus.duplicates)} ${stats.bus.duplicates === 1 ? 'duplicate' : 'duplicates'} refused`;
  $('stat-consumed').textContent = number.format(stats.total_events_consumed);
  $('stat-consumed-rate').textContent = `${rate.format(stats.consumed_per_second)}/s`;
  $('stat-topics').textContent = number.format(stats.active_topics);
  $('stat-topics-detail').textContent = `of ${number.format(stats.tributary.topics)} topics · ${number.format(stats.active_subscriptions)} subscriptions running`;
  $('stat-dead-letters').textContent = number.format(stats.bus.dead_lettered);
  $('stat-errors').textContent = `${number.format(stats.bus.failed)} failed deliveries (${rate.format(stats.error_rate * 100)} %)`;
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;

  rows(
    'subscriptions',
    subscriptions.map((s) =>
      h(
        'tr',
        { 'data-service': s.service_name },
        h('td', {}, h('span', { class: 'strong' }, s.service_name), h('div', { class: 'muted small mono' }, s.endpoint)),
        h('td', { class: 'mono' }, s.topic_pattern),
        h('td', {}, h('span', { class: `badge ${statusBadge[s.status] ?? 'neutral'}` }, s.status)),
        h('td', { class: 'num' }, number.format(s.delivered)),
        h('td', { class: 'num' }, number.format(s.failed)),
        h('td', { class: 'num' }, number.format(s.dead_lettered)),
        h('td', { class: 'muted small' }, s.last_error ?? ''),
      ),
    ),
    7,
    'No subscriptions yet: POST /subscriptions.',
  );

  const time = (ms) => new Date(ms).toLocaleTimeString();
  rows(
    'replays',
    replays.map((r) =>
      h(
        'tr',
        { 'data-replay': r.replay_id },
        h('td', {}, h('span', { class: 'mono' }, r.replay_id), h('div', { class: 'muted small' }, `${r.topic} → ${r.target.group === undefined ? r.target.topic : `service ${r.target.group}`}`)),
        h('td', { class: 'small' }, `${time(r.from)} → ${time(r.to)}`),
        h('td', { class: 'mono small' }, r.filter === null ? 'everything' : JSON.stringify(r.filter)),
        h('td', {}, h('span', { class: `badge ${statusBadge[r.status] ?? 'neutral'}` }, r.status)),
        h('td', { class: 'num' }, `${number.format(r.progress.matched)} of ${number.format(r.progress.scanned)}`),
        h('td', { class: 'nowrap' }, h('span', { class: 'progress' }, h('i', { style: `width: ${r.progress.percent}%` })), ` ${rate.format(r.progress.percent)} %`),
      ),
    ),
    6,
    'No replays yet: POST /replay.',
  );
}

async function json(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function refresh() {
  try {
    const [stats, { subscriptions }, { replays }] = await Promise.all([json('/stats'), json('/subscriptions'), json('/replays')]);
    render(stats, subscriptions, replays);
    connection('good', 'live');
  } catch {
    connection('warn', 'Tributary unreachable: retrying…');
  }
  setTimeout(refresh, 1000);
}

void refresh();
