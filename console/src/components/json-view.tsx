// A JSON value pretty-printed with its parts coloured, as the message browser shows values and headers.
import type { JSX } from 'preact';

export function JsonView({ value }: { value: unknown }) {
  return <pre class="json">{render(value, 0)}</pre>;
}

function render(value: unknown, depth: number): JSX.Element | string {
  if (value === null) return <span class="j-null">null</span>;
  if (typeof value === 'string') return <span class="j-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span class="j-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="j-bool">{String(value)}</span>;
  if (Array.isArray(value)) return members('[', ']', value.map((item) => [null, item]), depth);
  if (typeof value === 'object') return members('{', '}', Object.entries(value as Record<string, unknown>), depth);
  return String(value);
}

/** An array's items (no keys) or an object's members, one a line, indented two spaces a level. */
function members(open: string, close: string, entries: Array<[string | null, unknown]>, depth: number): JSX.Element | string {
  if (entries.length === 0) return open + close;
  const pad = '  '.repeat(depth);
  return (
    <>
      {`${open}\n`}
      {entries.map(([key, item], i) => (
        <>
          {`${pad}  `}
          {key !== null && (
            <>
              <span class="j-key">{JSON.stringify(key)}</span>
              {': '}
            </>
          )}
          {render(item, depth + 1)}
          {i < entries.length - 1 ? ',\n' : '\n'}
        </>
      ))}
      {pad + close}
    </>
  );
}
