// Summarizes a V8 .cpuprofile (from `npm run bench -- --cpu-prof broker`): where the time went, by function
// (self and inclusive) and by package or file. For finding the hot spot in the write and read paths without
// a browser's DevTools.
//
//   npm run profile-summary -w @tributary/bench -- FILE.cpuprofile [--top 25] [--callers NAME]
//
// --callers NAME adds the self time of functions named NAME broken down by their caller.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, callers: { type: 'string' } } });
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: profile-summary FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

function where(url: string): string {
  if (url === '') return '';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(broker|consumer-gateway|core|local-stack|bench)\/(?:dist|src)\/(.+)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url.replace(/^file:\/\//, '');
}

function key(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  return url ? `${name}  ${where(url)}:${lineNumber + 1}` : name;
}

function area(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (!url && /^anonymous\d+$/.test(functionName)) return 'generated code (ajv validators, fast-json-stringify serializers)';
  if (!url) return functionName.startsWith('(') ? functionName : `${functionName} (native)`;
  return where(url);
}

const self = new Map<string, number>();
const callers = new Map<string, number>();
const inclusive = new Map<string, number>();
const areas = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  const node = byId.get(id);
  if (!node) return;
  total += delta;
  self.set(key(node), (self.get(key(node)) ?? 0) + delta);
  areas.set(area(node), (areas.get(area(node)) ?? 0) + delta);
  if (values.callers !== undefined && node.callFrame.functionName === values.callers) {
    const up = parent.get(id);
    const caller = up === undefined ? '(none)' : key(byId.get(up)!);
    callers.set(caller, (callers.get(caller) ?? 0) + delta);
  }
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const k = key(byId.get(at)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + delta);
  }
});

const busy = total - (self.get('(idle)') ?? 0);
const show = (title: string, map: Map<string, number>, n: number) => {
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  const lines = rows.map(([k, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms  ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${k}`);
  return [`${title}`, ...lines, ''].join('\n');
};

process.stdout.write(
  [
    `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)`,
    '',
    show('self time by package or file', areas, 15),
    show('self time by function', self, top),
    show('inclusive time by function', inclusive, top),
    ...(values.callers !== undefined ? [show(`self time of ${values.callers} by caller`, callers, top)] : []),
  ].join('\n'),
);
