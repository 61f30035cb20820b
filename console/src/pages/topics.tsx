// Every topic with its partitions, records and rate; create one (with its config) and delete one (after
// typing its name). A topic's config is changed on its own page.
import { useState } from 'preact/hooks';
import type { ApiError, TopicDescription } from '../api.js';
import { Card, Empty, ErrorNote, Field, Loading, Modal, PageHeader } from '../components/ui.js';
import { useApp } from '../context.js';
import { count, duration, rate } from '../format.js';
import { Link, navigate, topicPath } from '../router.js';
import { sum } from '../rates.js';
import { useSampler } from '../sampler.js';
import { ConfigFields, configOf, defaultDraft } from './topic-config.js';

export function Topics() {
  const { topics, inRate, error, sampler } = useSampler();
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<TopicDescription | null>(null);
  const shown = (topics ?? []).filter((topic) => topic.name.toLowerCase().includes(filter.toLowerCase())).sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <PageHeader
        title="Topics"
        subtitle={topics ? `${count(topics.length)} topics, ${count(sum(topics.map((t) => t.partition_count)))} partitions` : undefined}
        actions={
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            Create topic
          </button>
        }
      />
      <ErrorNote error={error} what="GET /topics" />
      <Card flush>
        <div class="toolbar">
          <input type="search" placeholder="Filter by name" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} aria-label="Filter topics" />
        </div>
        {!topics ? (
          <Loading />
        ) : shown.length === 0 ? (
          <Empty>{topics.length === 0 ? 'No topics yet: create one.' : 'No topic matches the filter.'}</Empty>
        ) : (
          <table class="table" data-testid="topics">
            <thead>
              <tr>
                <th>Name</th>
                <th class="num">Partitions</th>
                <th class="num">Records</th>
                <th class="num">In / s</th>
                <th>Retention</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {shown.map((topic) => (
                <tr key={topic.id} data-topic={topic.name}>
                  <td>
                    <Link href={topicPath(topic.name)} class="strong">
                      {topic.name}
                    </Link>
                  </td>
                  <td class="num">{topic.partition_count}</td>
                  <td class="num">{count(sum(topic.partitions.map((p) => p.records)))}</td>
                  <td class="num">{rate(inRate.get(topic.name))}</td>
                  <td>{duration(topic.config.retention_ms)}</td>
                  <td>{new Date(topic.created_at).toLocaleString()}</td>
                  <td class="row-actions">
                    <button type="button" class="danger ghost small" onClick={() => setDeleting(topic)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {creating && (
        <CreateTopic
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            sampler.refresh();
            navigate(topicPath(name));
          }}
        />
      )}
      {deleting && (
        <DeleteTopic
          topic={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            sampler.refresh();
          }}
        />
      )}
    </>
  );
}

function CreateTopic({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const { api } = useApp();
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('3');
  const [draft, setDraft] = useState(defaultDraft);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await api.createTopic(name.trim(), Number(partitions), configOf(draft));
      onCreated(name.trim());
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Create topic"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="create-topic" class="primary" disabled={busy || name.trim() === ''}>
            Create
          </button>
        </>
      }
    >
      <form id="create-topic" class="form" onSubmit={submit}>
        <Field label="Name" hint="1–249 letters, digits, '.', '_' and '-'">
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={249} autoFocus />
        </Field>
        <Field label="Partitions" hint="Fixed for the topic's life: keys map to partitions by Kafka's partitioner.">
          <input name="partitions" type="number" min={1} value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} required />
        </Field>
        <ConfigFields draft={draft} onChange={setDraft} />
        <ErrorNote error={error} what="Not created:" />
      </form>
    </Modal>
  );
}

function DeleteTopic({ topic, onClose, onDeleted }: { topic: TopicDescription; onClose: () => void; onDeleted: () => void }) {
  const { api } = useApp();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const records = sum(topic.partitions.map((p) => p.records));

  const confirm = async () => {
    setBusy(true);
    try {
      await api.deleteTopic(topic.name);
      onDeleted();
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`Delete ${topic.name}?`}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="danger" disabled={busy || typed !== topic.name} onClick={confirm}>
            Delete topic
          </button>
        </>
      }
    >
      <p>
        Its {count(records)} records become unreachable at once and consumers lose their positions in it. A topic created again under this
        name starts empty. This cannot be undone.
      </p>
      <Field label={`Type ${topic.name} to confirm`}>
        <input name="confirm" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autoFocus autoComplete="off" />
      </Field>
      <ErrorNote error={error} what="Not deleted:" />
    </Modal>
  );
}
