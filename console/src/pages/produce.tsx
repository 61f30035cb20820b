// Produce a test message: POST /write/:topic with a key (or none), a value (JSON if it parses, else the
// text as a string, as `tributary produce` does), headers and an optional record id.
import { useState } from 'preact/hooks';
import type { ApiError, RecordToWrite, WriteAnswer } from '../api.js';
import { Card, ErrorNote, Field, PageHeader } from '../components/ui.js';
import { useApp } from '../context.js';
import { timestamp } from '../format.js';
import { Link, topicPath } from '../router.js';
import { useSampler } from '../sampler.js';

export function ProducePage() {
  const { topics } = useSampler();
  const wanted = new URLSearchParams(location.search).get('topic');
  const [topic, setTopic] = useState<string>(wanted ?? '');
  const names = (topics ?? []).map((t) => t.name).sort();
  const chosen = topic || names[0] || '';
  return (
    <>
      <PageHeader title="Produce" subtitle="Write a test record to a topic. The key picks the partition, as a Kafka producer's would." />
      <Card>
        <Field label="Topic">
          <select name="topic" value={chosen} onChange={(e) => setTopic(e.currentTarget.value)}>
            {names.map((name) => (
              <option value={name}>{name}</option>
            ))}
          </select>
        </Field>
        {chosen ? <ProduceForm topic={chosen} /> : <p class="muted">Create a topic first.</p>}
      </Card>
    </>
  );
}

export function ProduceForm({ topic, onWritten }: { topic: string; onWritten?: () => void }) {
  const { api } = useApp();
  const [key, setKey] = useState('');
  const [keyless, setKeyless] = useState(false);
  const [value, setValue] = useState('{\n  "hello": "world"\n}');
  const [headers, setHeaders] = useState('');
  const [id, setId] = useState('');
  const [written, setWritten] = useState<WriteAnswer[]>([]);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  const send = async (event: Event) => {
    event.preventDefault();
    const record: RecordToWrite = { key: keyless ? null : key, value: parseValue(value) };
    const parsedHeaders = parseHeaders(headers);
    if (Object.keys(parsedHeaders).length > 0) record.headers = parsedHeaders;
    if (id.trim()) record.id = id.trim();
    setBusy(true);
    try {
      const answer = await api.write(topic, record);
      setWritten((list) => [answer, ...list].slice(0, 5));
      setError(undefined);
      onWritten?.();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form" onSubmit={send} data-testid="produce-form">
      <div class="field-row">
        <Field label="Key" hint="Records with one key go to one partition, in order.">
          <input name="key" value={key} disabled={keyless} onInput={(e) => setKey(e.currentTarget.value)} placeholder="user123" />
        </Field>
        <label class="check">
          <input type="checkbox" name="keyless" checked={keyless} onChange={(e) => setKeyless(e.currentTarget.checked)} /> No key (spread over partitions)
        </label>
      </div>
      <Field label="Value" hint="JSON is sent as JSON; anything else as a string.">
        <textarea name="value" rows={6} class="mono" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </Field>
      <div class="field-row">
        <Field label="Headers" hint="One name: value a line.">
          <textarea name="headers" rows={3} class="mono" value={headers} onInput={(e) => setHeaders(e.currentTarget.value)} placeholder="trace: t-1" />
        </Field>
        <Field label="Record id (optional)" hint="A retry with the same id within the dedup window is not stored twice.">
          <input name="id" value={id} onInput={(e) => setId(e.currentTarget.value)} placeholder="order-17/shipped" />
        </Field>
      </div>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          Send to {topic}
        </button>
      </div>
      <ErrorNote error={error} what="Not written:" />
      {written.length > 0 && (
        <ul class="results" data-testid="produce-results">
          {written.map((answer) => (
            <li>
              {answer.duplicate ? 'Already written' : 'Written'} to <Link href={topicPath(answer.topic)}>{answer.topic}</Link> partition{' '}
              <strong>{answer.partition}</strong> at offset <strong data-testid="written-offset">{answer.offset}</strong>{' '}
              <span class="muted">{timestamp(answer.timestamp)}</span>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return headers;
}
