// Who consumes what: consumer groups (GET /groups on the gateway), consumers named by email with their lag
// on each topic (each topic's GET /topics/:topic/consumers), and one email's positions per partition
// (GET /subscriptions/:email). All through the broker's relay to the gateway.
import { useState } from 'preact/hooks';
import type { TopicConsumer } from '../api.js';
import { Badge, Card, Empty, ErrorNote, PageHeader, PolledList } from '../components/ui.js';
import { useApp } from '../context.js';
import { count } from '../format.js';
import { usePolled } from '../hooks.js';
import { groupPath, Link, topicPath } from '../router.js';
import { useSampler } from '../sampler.js';

export function ConsumersPage() {
  const { config } = useApp();
  const [email, setEmail] = useState(() => new URLSearchParams(location.search).get('email') ?? '');
  if (!config.gateway) {
    return (
      <>
        <PageHeader title="Consumers" />
        <Empty>This broker does not know where the consumer gateway is: set GATEWAY_URL on the broker.</Empty>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Consumers" subtitle="Consumer groups and consumers named by email, with how far behind each one is." />
      <Groups />
      <EmailConsumers onPick={setEmail} />
      <Lookup email={email} onEmail={setEmail} />
    </>
  );
}

function Groups() {
  const { api } = useApp();
  const groups = usePolled(api.groups, 3_000);
  if (groups.error?.code === 'ROUTE_NOT_FOUND') return null;
  return (
    <Card title="Consumer groups" flush>
      <PolledList loaded={groups} what="GET /groups (gateway)" empty="No consumer groups yet.">
        {(list) => (
          <table class="table" data-testid="groups">
            <thead>
              <tr>
                <th>Group</th>
                <th>State</th>
                <th class="num">Members</th>
                <th class="num">Generation</th>
              </tr>
            </thead>
            <tbody>
              {list.map((group) => (
                <tr key={group.group} data-group={group.group}>
                  <td>
                    <Link href={groupPath(group.group)} class="strong">
                      {group.group}
                    </Link>
                  </td>
                  <td>
                    <Badge tone={group.state === 'stable' ? 'good' : 'neutral'}>{group.state}</Badge>
                  </td>
                  <td class="num">{group.members}</td>
                  <td class="num">{group.generation}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PolledList>
    </Card>
  );
}

interface EmailRow extends TopicConsumer {
  topic: string;
}

function EmailConsumers({ onPick }: { onPick: (email: string) => void }) {
  const { api } = useApp();
  const { topics } = useSampler();
  const names = (topics ?? []).map((topic) => topic.name);
  const rows = usePolled(
    async () => {
      const perTopic = await Promise.all(names.map(async (topic) => (await api.topicConsumers(topic)).map((consumer): EmailRow => ({ ...consumer, topic }))));
      return perTopic.flat().filter((row) => row.type === 'email');
    },
    3_000,
    [names.join('\n')],
  );
  if (rows.error?.code === 'ROUTE_NOT_FOUND') return null;
  return (
    <Card title="Consumers by email" flush>
      <PolledList loaded={rows} what="GET /topics/:topic/consumers (gateway)" empty="No email is subscribed to any topic.">
        {(list) => (
          <table class="table" data-testid="email-consumers">
            <thead>
              <tr>
                <th>Email</th>
                <th>Topic</th>
                <th class="num">Lag</th>
              </tr>
            </thead>
            <tbody>
              {list.map((row) => (
                <tr key={`${row.name}|${row.topic}`} data-consumer={row.name} data-topic={row.topic}>
                  <td>
                    <a
                      href={`?email=${encodeURIComponent(row.name)}`}
                      onClick={(event) => {
                        event.preventDefault();
                        onPick(row.name);
                      }}
                    >
                      {row.name}
                    </a>
                  </td>
                  <td>
                    <Link href={topicPath(row.topic)}>{row.topic}</Link>
                  </td>
                  <td class="num" data-testid="lag">
                    {count(row.lag)}
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

function Lookup({ email, onEmail }: { email: string; onEmail: (email: string) => void }) {
  const { api } = useApp();
  const [typed, setTyped] = useState(email);
  const [shown, setShown] = useState(email);
  if (email !== shown) {
    setShown(email);
    setTyped(email);
  }
  const subscriptions = usePolled(() => (email ? api.subscriptions(email) : Promise.resolve(null)), 2_000, [email]);
  return (
    <Card title="Look up a consumer">
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          onEmail(typed.trim());
        }}
      >
        <input type="email" name="email" placeholder="john@example.com" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} aria-label="Consumer email" />
        <button type="submit">Show positions</button>
      </form>
      <ErrorNote error={subscriptions.error} what="GET /subscriptions/:email (gateway)" />
      {email && subscriptions.data && subscriptions.data.length === 0 && <Empty>{email} is subscribed to nothing.</Empty>}
      {subscriptions.data?.map((subscription) => (
        <div class="subscription" data-topic={subscription.topic}>
          <h3>
            <Link href={topicPath(subscription.topic)}>{subscription.topic}</Link> <span class="muted">lag</span>{' '}
            <span data-testid="subscription-lag">{count(subscription.lag)}</span>
          </h3>
          <table class="table compact">
            <thead>
              <tr>
                <th>Partition</th>
                <th class="num">Committed</th>
                <th class="num">Log start</th>
                <th class="num">High watermark</th>
                <th class="num">Lag</th>
              </tr>
            </thead>
            <tbody>
              {subscription.partitions.map((p) => (
                <tr key={p.partition}>
                  <td>{p.partition}</td>
                  <td class="num mono">{count(p.committed_offset)}</td>
                  <td class="num mono">{count(p.log_start_offset)}</td>
                  <td class="num mono">{count(p.high_watermark)}</td>
                  <td class="num">{count(p.lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </Card>
  );
}
