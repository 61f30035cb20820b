// The cluster at a glance: brokers and the controller from GET /cluster, Redis and ZooKeeper from /cluster
// and GET /readyz, and records in/out per second from the sampler.
import { Badge, Card, ErrorNote, Loading, PageHeader, Stat, StateBadge } from '../components/ui.js';
import { RateChart } from '../components/rate-chart.js';
import { useApp } from '../context.js';
import { ago, count, rate } from '../format.js';
import { usePolled } from '../hooks.js';
import { sum } from '../rates.js';
import { useSampler } from '../sampler.js';

const IN_COLOR = '#0e7490';
const OUT_COLOR = '#7c3aed';

export function Overview() {
  const { api, config } = useApp();
  const cluster = usePolled(api.cluster, 3_000);
  const ready = usePolled(api.readiness, 3_000);
  const { topics, totalIn, totalOut, history } = useSampler();
  const info = cluster.data;
  const alive = info?.brokers.filter((broker) => broker.alive).length ?? 0;
  const records = topics ? sum(topics.flatMap((topic) => topic.partitions.map((p) => p.records))) : undefined;

  return (
    <>
      <PageHeader title="Overview" subtitle="Brokers, the controller, storage health and throughput, refreshed every few seconds." />
      <ErrorNote error={cluster.error} what="GET /cluster" />
      <div class="stats">
        <Stat
          testId="stat-brokers"
          label="Brokers"
          value={info ? `${alive} / ${info.brokers.length}` : '–'}
          detail={info ? (alive === info.brokers.length ? 'all alive' : `${info.brokers.length - alive} not heartbeating`) : undefined}
        />
        <Stat
          testId="stat-controller"
          label="Controller"
          value={info?.controller ? `epoch ${info.controller.epoch}` : info ? 'none' : '–'}
          detail={info?.controller ? <span class="mono">{info.controller.broker_id.slice(0, 8)}</span> : undefined}
        />
        <Stat
          testId="stat-redis"
          label="Redis"
          value={<StateBadge state={ready.data?.checks['redis'] ?? info?.redis.state} />}
          detail={<span class="mono">{info?.redis.address}</span>}
        />
        <Stat
          testId="stat-zookeeper"
          label="ZooKeeper"
          value={<StateBadge state={ready.data?.checks['zookeeper'] ?? info?.zookeeper.state} />}
          detail={<span class="mono">{info?.zookeeper.address}</span>}
        />
        <Stat label="Topics" value={topics ? count(topics.length) : '–'} detail={topics ? `${count(sum(topics.map((t) => t.partition_count)))} partitions` : undefined} />
        <Stat label="Records" value={records === undefined ? '–' : count(records)} detail="held in partition logs" />
      </div>

      <Card
        title="Throughput"
        actions={
          <div class="legend-values">
            <span>
              <i style={{ background: IN_COLOR }} /> in <strong data-testid="rate-in">{rate(totalIn)}</strong>/s
            </span>
            <span>
              <i style={{ background: OUT_COLOR }} /> out <strong data-testid="rate-out">{rate(totalOut)}</strong>/s
            </span>
          </div>
        }
      >
        <RateChart
          columns={history.columns()}
          series={[
            { label: 'records in', color: IN_COLOR },
            { label: 'records out (committed)', color: OUT_COLOR },
          ]}
        />
        <p class="hint">
          In: growth of the topics' next offsets. Out: growth of consumers' committed positions
          {config.gateway ? '' : ' (needs the consumer gateway: set GATEWAY_URL on the broker)'}.
        </p>
      </Card>

      <Card title="Brokers" flush>
        {!info ? (
          <Loading />
        ) : (
          <table class="table" data-testid="brokers">
            <thead>
              <tr>
                <th>Broker</th>
                <th>Address</th>
                <th>Version</th>
                <th>Started</th>
                <th>Last heartbeat</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {info.brokers.map((broker) => (
                <tr key={broker.id}>
                  <td class="mono">
                    {broker.id}
                    {broker.id === info.this_broker.id && <span class="muted"> (serving this page)</span>}
                  </td>
                  <td class="mono">
                    {broker.host}:{broker.port}
                  </td>
                  <td>{broker.version}</td>
                  <td class="nowrap">{ago(broker.started_at)}</td>
                  <td class="nowrap">{ago(broker.last_seen)}</td>
                  <td class="nowrap">
                    <Badge tone={broker.alive ? 'good' : 'bad'}>{broker.alive ? 'alive' : 'not heartbeating'}</Badge>{' '}
                    {info.controller?.broker_id === broker.id && <Badge tone="info">controller</Badge>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
