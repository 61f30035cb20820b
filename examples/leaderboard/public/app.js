// The live page: one EventSource on /api/stream; every "snapshot" it pushes redraws the numbers, the top 10,
// the achievements and the processors. Names come from the topic, which anyone allowed may write to: they
// are set as text, never as HTML.

const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);
const number = new Intl.NumberFormat('en');

/** An element with attributes and children (strings become text nodes). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'onclick') element.addEventListener('click', value);
    else element.setAttribute(name, value);
  }
  element.append(...children.map((child) => (typeof child === 'string' || typeof child === 'number' ? String(child) : child)));
  return element;
}

function connection(state, text) {
  const badge = $('connection');
  badge.className = `health ${state}`;
  badge.lastElementChild.textContent = text;
}

let previousScores = new Map();
let selected = null;

function render({ leaderboard, achievements, stats }) {
  $('stat-players').textContent = number.format(stats.players);
  $('stat-events').textContent = number.format(stats.events);
  $('stat-mix').textContent = `${number.format(stats.player_scored)} scored · ${number.format(stats.player_joined)} joined`;
  $('stat-achievements').textContent = number.format(stats.achievement_unlocked);
  $('stat-duplicates').textContent = number.format(stats.duplicates);
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;

  const rows = leaderboard.map((standing) => {
    const changed = previousScores.get(standing.player) !== standing.score;
    return h(
      'tr',
      { class: `clickable${changed ? ' fresh' : ''}${standing.player === selected ? ' selected' : ''}`, 'data-player': standing.player, onclick: () => showPlayer(standing.player) },
      h('td', { class: 'rank' }, standing.rank),
      h('td', {}, h('span', { class: 'strong' }, standing.name), ' ', h('span', { class: 'muted mono' }, standing.player)),
      h('td', { class: 'num strong' }, number.format(standing.score)),
      h('td', { class: 'num' }, number.format(standing.events)),
    );
  });
  previousScores = new Map(leaderboard.map((standing) => [standing.player, standing.score]));
  $('leaderboard').tBodies[0].replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No scores yet.'))]));

  const feed = achievements.map((entry) =>
    h('li', {}, h('span', { class: 'badge info' }, entry.achievement), ' ', h('span', { class: 'mono' }, entry.player), h('div', { class: 'muted small' }, new Date(entry.ts).toLocaleTimeString())),
  );
  $('achievements').replaceChildren(...(feed.length > 0 ? feed : [h('li', { class: 'muted' }, 'None yet.')]));

  const processors = Object.entries(stats.processors).sort(([a], [b]) => a.localeCompare(b));
  $('processors').tBodies[0].replaceChildren(
    ...processors.map(([name, applied]) => h('tr', {}, h('td', { class: 'mono' }, name), h('td', { class: 'num' }, number.format(applied)))),
  );
  if (selected) void showPlayer(selected);
}

/** The player's card, from GET /api/player/:id. */
async function showPlayer(player) {
  selected = player;
  const card = $('player');
  const response = await fetch(`/api/player/${encodeURIComponent(player)}`);
  const answer = await response.json();
  card.hidden = false;
  if (!response.ok) {
    card.replaceChildren(h('div', { class: 'note error' }, answer.message));
    return;
  }
  const time = (ms) => (ms === null ? '–' : new Date(ms).toLocaleString());
  card.replaceChildren(
    h('div', { class: 'card-header' }, h('h2', {}, answer.name), h('span', { class: 'badge neutral' }, `#${answer.rank}`)),
    h(
      'dl',
      { class: 'props' },
      ...[
        ['Player', answer.player],
        ['Score', number.format(answer.score)],
        ['Events', number.format(answer.events)],
        ['Scored', number.format(answer.scored)],
        ['Joined', answer.joins === 0 ? 'never' : `${answer.joins === 1 ? 'once' : `${number.format(answer.joins)} times`}, first ${time(answer.joined_at)}`],
        ['Achievements', number.format(answer.achievements)],
        ['Last event', time(answer.last_event_at)],
      ].flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
    ),
  );
}

const stream = new EventSource('/api/stream');
stream.addEventListener('open', () => connection('good', 'live'));
stream.addEventListener('error', () => connection('warn', 'reconnecting…'));
stream.addEventListener('snapshot', (message) => render(JSON.parse(message.data)));
