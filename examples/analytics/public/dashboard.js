// The dashboard's script: plain browser JavaScript, no build step. Every two seconds it fetches the
// aggregates and the group's lag and redraws: stats, events per minute by type (uPlot, global from
// /vendor/uPlot.iife.min.js), the funnel and the session-length histogram (SVG).
const REFRESH_MS = 2_000;
const colors = {
  login: '#0e7490',
  lobby: '#64748b',
  match_start: '#6d28d9',
  kill: '#15803d',
  death: '#b91c1c',
  match_end: '#b45309',
  purchase: '#db2777',
  logout: '#1b2433',
};
const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);
const number = (n) => (n === null || n === undefined ? '–' : n.toLocaleString('en-US'));
const duration = (ms) => {
  if (ms === null) return '–';
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
};
const clock = (ms) => new Date(ms).toISOString().slice(11, 16);

let chart = null;
let chartTypes = [];

function drawPerMinute({ minutes, by_type }) {
  const host = $('epm-chart');
  const types = Object.keys(by_type);
  const data = [minutes.map((ms) => ms / 1000), ...types.map((type) => by_type[type])];
  if (chart === null || chartTypes.join() !== types.join()) {
    chart?.destroy();
    chartTypes = types;
    chart = new uPlot(
      {
        width: host.clientWidth,
        height: 240,
        legend: { show: false },
        cursor: { y: false, points: { size: 7 } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.15)] } },
        axes: [
          { stroke: '#64748b', grid: { stroke: '#eef1f5' }, ticks: { show: false }, values: (_u, values) => values.map((s) => clock(s * 1000)) },
          { stroke: '#64748b', grid: { stroke: '#eef1f5' }, ticks: { show: false }, size: 48 },
        ],
        series: [{}, ...types.map((type) => ({ label: type, stroke: colors[type] ?? '#0e7490', width: 1.5, points: { show: false } }))],
      },
      data,
      host,
    );
    new ResizeObserver(() => chart.setSize({ width: host.clientWidth, height: 240 })).observe(host);
  } else {
    chart.setData(data);
  }
  host.dataset.points = String(minutes.length);
  $('epm-legend').innerHTML = types
    .map((type) => `<span><i style="background:${colors[type]}"></i>${type}</span>`)
    .join('');
}

function drawFunnel(funnel) {
  const first = funnel[0]?.sessions || 0;
  $('funnel').querySelector('tbody').innerHTML = funnel
    .map(({ step, sessions }) => {
      const share = first === 0 ? 0 : (sessions / first) * 100;
      return `<tr data-step="${step}"><td>${step}</td><td class="num" data-testid="funnel-${step}">${number(sessions)}</td>
        <td class="num muted">${share.toFixed(0)}%</td><td><div class="meter"><i style="width:${share}%"></i></div></td></tr>`;
    })
    .join('');
}

function drawLengths(histogram) {
  const svg = $('lengths');
  const max = Math.max(1, ...histogram.map((bucket) => bucket.count));
  const width = 400 / histogram.length;
  svg.innerHTML = histogram
    .map(({ count }, i) => {
      const height = (count / max) * 190;
      return `<rect data-count="${count}" x="${i * width + 8}" y="${200 - height}" width="${width - 16}" height="${height}" rx="3"></rect>`;
    })
    .join('');
  const labels = $('length-labels');
  labels.style.gridTemplateColumns = `repeat(${histogram.length}, 1fr)`;
  let from = 0;
  labels.innerHTML = histogram
    .map(({ upto_minutes, count }) => {
      const label = upto_minutes === null ? `${from}+ min` : `${from}–${upto_minutes} min`;
      from = upto_minutes;
      return `<span><strong>${number(count)}</strong>${label}</span>`;
    })
    .join('');
}

function drawTotals(totals, events) {
  $('totals').querySelector('tbody').innerHTML = Object.entries(totals)
    .map(([type, count]) => `<tr data-type="${type}"><td><span class="mono">${type}</span></td><td class="num">${number(count)}</td>
      <td class="num muted">${events === 0 ? '–' : `${((count / events) * 100).toFixed(1)}%`}</td></tr>`)
    .join('');
}

function drawGroup(group) {
  $('group-name').textContent = group.group;
  const status = $('group-status');
  status.className = `health ${group.lag === null ? 'warn' : group.lag === 0 ? 'good' : 'warn'}`;
  status.querySelector('span').textContent =
    group.lag === null ? 'waiting for the aggregator' : group.lag === 0 ? 'caught up: lag 0' : `catching up: lag ${number(group.lag)}`;
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function refresh() {
  try {
    const [aggregates, group] = await Promise.all([getJson('/api/aggregates'), getJson('/api/group')]);
    $('stat-events').textContent = number(aggregates.events);
    $('stat-last').textContent = aggregates.last_event_at === null ? 'no events yet' : `last at ${new Date(aggregates.last_event_at).toISOString().replace('T', ' ').slice(0, 19)}`;
    $('stat-players').textContent = number(aggregates.players);
    $('stat-active').textContent = number(aggregates.active_players);
    $('stat-sessions').textContent = number(aggregates.sessions.started);
    $('stat-completed').textContent = `${number(aggregates.sessions.completed)} completed`;
    $('stat-average').textContent = duration(aggregates.sessions.average_length_ms);
    drawPerMinute(aggregates.events_per_minute);
    drawFunnel(aggregates.funnel);
    drawLengths(aggregates.sessions.length_histogram);
    drawTotals(aggregates.totals_by_type, aggregates.events);
    drawGroup(group);
  } catch (err) {
    $('group-status').className = 'health bad';
    $('group-status').querySelector('span').textContent = `dashboard cannot refresh: ${err.message}`;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
