// The live tail: every partition read from its end as the tail starts, polling the browse route once a
// second (records arrive in Redis one append at a time; a second's delay is what a console needs).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, Message, TopicDescription } from '../api.js';
import { Badge, Card, Empty, ErrorNote } from '../components/ui.js';
import { useApp } from '../context.js';
import { count, timestamp } from '../format.js';
import { MessageTable } from './topic-messages.js';

const POLL_MS = 1_000;
const KEEP = 500; // newest records shown
const PER_POLL = 200; // records per partition and poll

export function LiveTail({ topic }: { topic: TopicDescription }) {
  const { api } = useApp();
  const [running, setRunning] = useState(true);
  const [messages, setMessages] = useState<Message[]>([]);
  const [seen, setSeen] = useState(0);
  const [since] = useState(Date.now());
  const [error, setError] = useState<ApiError | undefined>();
  // Each partition's next offset to read: its end when the tail starts, then wherever reads got to, so a
  // paused tail resumes where it stopped.
  const positionsRef = useRef<Map<number, number> | null>(null);

  useEffect(() => {
    if (!running) return;
    const positions = (positionsRef.current ??= new Map(topic.partitions.map((p) => [p.partition, p.next_offset])));
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const answers = await Promise.all([...positions].map(([partition, offset]) => api.browse(topic.name, partition, { offset }, PER_POLL)));
        if (stopped) return;
        const arrived = answers.flatMap((answer) => {
          positions.set(answer.partition, answer.next_offset);
          return answer.messages;
        });
        if (arrived.length > 0) {
          arrived.sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset);
          setMessages((shown) => [...arrived, ...shown].slice(0, KEEP));
          setSeen((n) => n + arrived.length);
        }
        setError(undefined);
      } catch (err) {
        if (!stopped) setError(err as ApiError);
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [running, topic.name]);

  return (
    <Card
      title={
        <>
          Live tail {running ? <Badge tone="good">live</Badge> : <Badge tone="neutral">paused</Badge>}
        </>
      }
      actions={
        <div class="actions">
          <span class="muted" data-testid="tail-count">
            {count(seen)} records since {timestamp(since).slice(11, 19)}
          </span>
          <button type="button" onClick={() => setRunning(!running)}>
            {running ? 'Pause' : 'Resume'}
          </button>
          <button type="button" onClick={() => setMessages([])}>
            Clear
          </button>
        </div>
      }
      flush
    >
      <ErrorNote error={error} what="Tail failed:" />
      {messages.length === 0 ? <Empty>Waiting for new records on {topic.partition_count} partitions…</Empty> : <MessageTable messages={messages} testId="tail" />}
    </Card>
  );
}
