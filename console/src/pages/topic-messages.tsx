// The message browser: records of one partition or all, from the start, an offset, a time or the end,
// through GET /topics/:topic/partitions/:partition/records (it moves no consumer's position).
import { useState } from 'preact/hooks';
import type { ApiError, BrowseFrom, Message, TopicDescription } from '../api.js';
import { JsonView } from '../components/json-view.js';
import { Card, Empty, ErrorNote, Field } from '../components/ui.js';
import { useApp } from '../context.js';
import { preview, timestamp } from '../format.js';

type Start = 'earliest' | 'offset' | 'timestamp' | 'latest';

/** Where each partition's next page starts. */
type Cursor = Map<number, number>;

export function MessageBrowser({ topic }: { topic: TopicDescription }) {
  const { api } = useApp();
  const [partition, setPartition] = useState<'all' | number>(topic.partition_count === 1 ? 0 : 'all');
  const [start, setStart] = useState<Start>('earliest');
  const [offset, setOffset] = useState('0');
  const [time, setTime] = useState(() => localDateTime(Date.now() - 3_600_000));
  const [max, setMax] = useState(50);
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [cursor, setCursor] = useState<Cursor>(new Map());
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  const partitions = partition === 'all' ? topic.partitions : topic.partitions.filter((p) => p.partition === partition);

  /** Reads `max` records from each partition at its cursor, merged in time order. */
  const read = async (from: (p: number) => BrowseFrom, append: boolean) => {
    setBusy(true);
    try {
      const answers = await Promise.all(partitions.map((p) => api.browse(topic.name, p.partition, from(p.partition), max)));
      const next = new Map(answers.map((answer) => [answer.partition, answer.next_offset]));
      const found = answers.flatMap((answer) => answer.messages);
      found.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
      setMessages(append ? [...(messages ?? []), ...found] : found);
      setCursor(next);
      setError(undefined);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const search = (event: Event) => {
    event.preventDefault();
    const ends = new Map(topic.partitions.map((p) => [p.partition, p]));
    void read((p) => {
      if (start === 'offset') return { offset: Number(offset) };
      if (start === 'timestamp') return { timestamp: new Date(time).getTime() };
      if (start === 'latest') return { offset: Math.max(ends.get(p)!.log_start_offset, ends.get(p)!.next_offset - max) };
      return {};
    }, false);
  };

  const more = () => void read((p) => ({ offset: cursor.get(p)! }), true);
  const hasMore = partitions.some((p) => (cursor.get(p.partition) ?? 0) < p.next_offset);

  return (
    <Card flush>
      <form class="toolbar wrap" onSubmit={search} data-testid="browse-form">
        <Field label="Partition">
          <select name="partition" value={String(partition)} onChange={(e) => setPartition(e.currentTarget.value === 'all' ? 'all' : Number(e.currentTarget.value))}>
            {topic.partition_count > 1 && <option value="all">All partitions</option>}
            {topic.partitions.map((p) => (
              <option value={String(p.partition)}>Partition {p.partition}</option>
            ))}
          </select>
        </Field>
        <Field label="Start at">
          <select name="start" value={start} onChange={(e) => setStart(e.currentTarget.value as Start)}>
            <option value="earliest">Earliest</option>
            <option value="offset">Offset</option>
            <option value="timestamp">Time</option>
            <option value="latest">Latest {max}</option>
          </select>
        </Field>
        {start === 'offset' && (
          <Field label="Offset">
            <input name="offset" type="number" min={0} value={offset} onInput={(e) => setOffset(e.currentTarget.value)} />
          </Field>
        )}
        {start === 'timestamp' && (
          <Field label="Appended at or after">
            <input name="time" type="datetime-local" step="1" value={time} onInput={(e) => setTime(e.currentTarget.value)} />
          </Field>
        )}
        <Field label="Per partition">
          <select name="max" value={String(max)} onChange={(e) => setMax(Number(e.currentTarget.value))}>
            {[20, 50, 100, 500].map((n) => (
              <option value={String(n)}>{n}</option>
            ))}
          </select>
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          Show messages
        </button>
      </form>
      <ErrorNote error={error} what="Browsing failed:" />
      {messages === null ? (
        <Empty>Pick where to start and press Show messages.</Empty>
      ) : messages.length === 0 ? (
        <Empty>No records there.</Empty>
      ) : (
        <>
          <MessageTable messages={messages} testId="messages" />
          {hasMore && (
            <div class="table-footer">
              <button type="button" onClick={more} disabled={busy}>
                Load more
              </button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}

/** Records one a row; a click shows the value pretty-printed with the headers. */
export function MessageTable({ messages, testId }: { messages: Message[]; testId: string }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <table class="table messages" data-testid={testId}>
      <thead>
        <tr>
          <th class="num">Partition</th>
          <th class="num">Offset</th>
          <th>Timestamp</th>
          <th>Key</th>
          <th>Value</th>
        </tr>
      </thead>
      <tbody>
        {messages.map((message) => {
          const id = `${message.partition}:${message.offset}`;
          const expanded = open === id;
          return (
            <>
              <tr key={id} class={`clickable${expanded ? ' selected' : ''}`} data-offset={message.offset} data-partition={message.partition} onClick={() => setOpen(expanded ? null : id)}>
                <td class="num">{message.partition}</td>
                <td class="num mono">{message.offset}</td>
                <td class="mono nowrap">{timestamp(message.timestamp)}</td>
                <td class="mono">{message.key === null ? <span class="muted">null</span> : preview(message.key, 40)}</td>
                <td class="mono value">{preview(message.value)}</td>
              </tr>
              {expanded && (
                <tr key={`${id}-detail`} class="detail">
                  <td colSpan={5}>
                    <div class="message-detail" data-testid="message-detail">
                      <div>
                        <h3>Value</h3>
                        <JsonView value={message.value} />
                      </div>
                      <div>
                        <h3>Headers</h3>
                        {Object.keys(message.headers).length === 0 ? <p class="muted">No headers.</p> : <JsonView value={message.headers} />}
                        <h3>Key</h3>
                        <JsonView value={message.key} />
                      </div>
                    </div>
                  </td>
                </tr>
              )}
            </>
          );
        })}
      </tbody>
    </table>
  );
}

/** "2026-11-23T14:05:09" in the viewer's time zone, as <input type="datetime-local"> takes it. */
function localDateTime(ms: number): string {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 19);
}
