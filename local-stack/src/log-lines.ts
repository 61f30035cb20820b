// The services log JSON lines (pino), which suit log collectors, not a person watching `npm start`. The local
// stack shows each as one readable line: the message, then its fields as key=value; a client's error (a 4xx,
// logged at info with its code and URL) as "<code> <url>: <message>".
const LEVELS: Record<number, string> = { 10: 'TRACE ', 20: 'DEBUG ', 30: '', 40: 'WARN ', 50: 'ERROR ', 60: 'FATAL ' };
const BOOKKEEPING = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry['level'] !== 'number' || typeof entry['msg'] !== 'string') return line;
  const level = LEVELS[entry['level']] ?? '';
  const { code, url } = entry;
  if (entry['level'] === 30 && typeof code === 'string' && typeof url === 'string') return `${code} ${url}: ${entry['msg']}`;
  const fields = Object.entries(entry)
    .filter(([key]) => !BOOKKEEPING.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [`${level}${entry['msg']}`, ...fields].join(' ');
}
