// One topic: its partitions and config (changed through PATCH /topics/:topic), a message browser, a live
// tail, who consumes it, and a produce form.
import { useState } from 'preact/hooks';
import type { TopicDescription } from '../api.js';
import { Badge, Card, Empty, ErrorNote, Loading, PageHeader, PolledList, Stat, Tabs } from '../components/ui.js';
import { useApp } from '../context.js';
import { bytes, count, duration, rate } from '../format.js';
import { usePolled } from '../hooks.js';
import { groupPath, Link } from '../router.js';
import { sum } from '../rates.js';
import { useSampler } from '../sampler.js';
import { ProduceForm } from './produce.js';
import { AlterTopic } from './topic-config.js';
import { MessageBrowser } from './topic-messages.js';
import { LiveTail } from './topic-tail.js';

type Tab = 'overview' | 'messages' | 'tail' | 'consumers' | 'produce';

export function TopicPage({ name }: { name: string }) {
  const { api } = useApp();
  const topic = usePolled(() => api.topic(name), 2_000, [name]);
  const { inRate } = useSampler();
  const [tab, setTab] = useState<Tab>('overview');
  const info = topic.data;

  if (!info) {
    return (
      <>
        <PageHeader title={name} />
        {topic.error ? <ErrorNote error={topic.error} what={`GET /topics/${name}`} /> : <Loading />}
      </>
    );
  }
  return (
    <>
      <PageHeader title={info.name} subtitle={<span class="mono muted">{info.id}</span>} actions={<Badge tone="neutral">{info.partition_count} partitions</Badge>} />
      <ErrorNote error={topic.error} what="Refreshing failed:" />
      <div class="stats">
        <Stat testId="topic-records" label="Records" value={count(sum(info.partitions.map((p) => p.records)))} />
        <Stat label="Records in" value={`${rate(inRate.get(info.name))}/s`} />
        <Stat label="Retention" value={duration(info.config.retention_ms)} />
        <Stat label="Max record size" value={bytes(info.config.max_record_bytes)} />
      </div>
      <Tabs
        tabs={[
          ['overview', 'Partitions'],
          ['messages', 'Messages'],
          ['tail', 'Live tail'],
          ['consumers', 'Consumers'],
          ['produce', 'Produce'],
        ]}
        active={tab}
        onSelect={setTab}
      />
      {tab === 'overview' && <Partitions topic={info} onAltered={topic.reload} />}
      {tab === 'messages' && <MessageBrowser topic={info} />}
      {tab === 'tail' && <LiveTail topic={info} />}
      {tab === 'consumers' && <TopicConsumers topic={info.name} />}
      {tab === 'produce' && (
        <Card title="Produce a test message">
          <ProduceForm topic={info.name} onWritten={topic.reload} />
        </Card>
      )}
    </>
  );
}

function Partitions({ topic, onAltered }: { topic: TopicDescription; onAltered: () => void }) {
  const { config } = topic;
  const [altering, setAltering] = useState(false);
  const [warnings, setWarnings] = useState<string[]>([]);
  return (
    <div class="grid-2-1">
      <Card title="Partitions" flush>
        <table class="table" data-testid="partitions">
          <thead>
            <tr>
              <th>Partition</th>
              <th class="num">Log-start offset</th>
              <th class="num">Next offset</th>
              <th class="num">Records</th>
            </tr>
          </thead>
          <tbody>
            {topic.partitions.map((partition) => (
              <tr key={partition.partition} data-partition={partition.partition}>
                <td>{partition.partition}</td>
                <td class="num mono">{count(partition.log_start_offset)}</td>
                <td class="num mono">{count(partition.next_offset)}</td>
                <td class="num">{count(partition.records)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card
        title="Configuration"
        actions={
          <button type="button" class="small" onClick={() => setAltering(true)}>
            Change
          </button>
        }
      >
        {warnings.map((warning) => (
          <div class="note warn">{warning}</div>
        ))}
        <dl class="props" data-testid="topic-config">
          <dt>retention_ms</dt>
          <dd>
            {config.retention_ms} <span class="muted">({duration(config.retention_ms)})</span>
          </dd>
          <dt>max_record_bytes</dt>
          <dd>
            {config.max_record_bytes} <span class="muted">({bytes(config.max_record_bytes)})</span>
          </dd>
          {config.dedup_window_ms !== undefined && (
            <>
              <dt>dedup_window_ms</dt>
              <dd>
                {config.dedup_window_ms} <span class="muted">({config.dedup_window_ms === 0 ? 'off' : duration(config.dedup_window_ms)})</span>
              </dd>
            </>
          )}
          {config.segment_records !== undefined && (
            <>
              <dt>segment_records</dt>
              <dd>{config.segment_records}</dd>
            </>
          )}
          <dt>created</dt>
          <dd>{new Date(topic.created_at).toLocaleString()}</dd>
        </dl>
      </Card>
      {altering && (
        <AlterTopic
          topic={topic}
          onClose={() => setAltering(false)}
          onAltered={(said) => {
            setAltering(false);
            setWarnings(said);
            onAltered();
          }}
        />
      )}
    </div>
  );
}

function TopicConsumers({ topic }: { topic: string }) {
  const { api } = useApp();
  const consumers = usePolled(() => api.topicConsumers(topic), 2_000, [topic]);
  if (consumers.error?.code === 'ROUTE_NOT_FOUND') {
    return <Empty>This gateway does not list a topic's consumers (GET /topics/:topic/consumers); look an email up under Consumers.</Empty>;
  }
  return (
    <Card title="Consumers" flush>
      <PolledList loaded={consumers} what="GET /topics/:topic/consumers (gateway)" empty="Nobody consumes this topic yet.">
        {(list) => (
          <table class="table" data-testid="topic-consumers">
            <thead>
              <tr>
                <th>Consumer</th>
                <th>Kind</th>
                <th class="num">Members</th>
                <th class="num">Lag</th>
              </tr>
            </thead>
            <tbody>
              {list.map((consumer) => (
                <tr key={`${consumer.type}:${consumer.name}`} data-consumer={consumer.name}>
                  <td>
                    {consumer.type === 'group' ? (
                      <Link href={groupPath(consumer.name)}>{consumer.name}</Link>
                    ) : (
                      <Link href={`/consumers?email=${encodeURIComponent(consumer.name)}`}>{consumer.name}</Link>
                    )}
                  </td>
                  <td>{consumer.type === 'group' ? <Badge tone="info">group</Badge> : <Badge tone="neutral">email</Badge>}</td>
                  <td class="num">{consumer.members ?? ''}</td>
                  <td class="num" data-testid="lag">
                    {count(consumer.lag)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PolledList>
    </Card>
  );
}
