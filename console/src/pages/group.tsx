// One consumer group (GET /groups/:group on the gateway): its members and their assignments, and per
// partition who holds it, the committed offset and the lag.
import { Badge, Card, Empty, ErrorNote, Loading, PageHeader, Stat } from '../components/ui.js';
import { useApp } from '../context.js';
import { count, duration } from '../format.js';
import { usePolled } from '../hooks.js';
import { Link, topicPath } from '../router.js';

export function GroupPage({ name }: { name: string }) {
  const { api } = useApp();
  const group = usePolled(() => api.group(name), 2_000, [name]);
  const info = group.data;
  if (!info) {
    return (
      <>
        <PageHeader title={name} />
        {group.error ? <ErrorNote error={group.error} what={`GET /groups/${name} (gateway)`} /> : <Loading />}
      </>
    );
  }
  const memberName = new Map(info.members.map((member) => [member.member_id, member.name]));
  return (
    <>
      <PageHeader title={info.group} subtitle="Consumer group" actions={<Badge tone={info.members.length > 0 ? 'good' : 'neutral'}>{info.members.length > 0 ? 'stable' : 'empty'}</Badge>} />
      <ErrorNote error={group.error} what="Refreshing failed:" />
      <div class="stats">
        <Stat label="Members" value={info.members.length} />
        <Stat label="Generation" value={info.generation} />
        <Stat testId="group-lag" label="Lag" value={count(info.lag)} detail="records not yet committed" />
        <Stat label="Max deliveries" value={info.config.max_deliveries} detail={info.config.dead_letter_topic ? `then to ${info.config.dead_letter_topic}` : 'no dead-letter topic'} />
      </div>
      <Card title="Members" flush>
        {info.members.length === 0 ? (
          <Empty>No live members.</Empty>
        ) : (
          <table class="table" data-testid="members">
            <thead>
              <tr>
                <th>Member</th>
                <th>Subscribed to</th>
                <th>Assignment</th>
                <th>Session</th>
              </tr>
            </thead>
            <tbody>
              {info.members.map((member) => (
                <tr key={member.member_id}>
                  <td>
                    <div class="strong">{member.name}</div>
                    <div class="mono muted small">{member.member_id}</div>
                  </td>
                  <td class="mono">{member.pattern ?? member.topics?.join(', ')}</td>
                  <td>
                    {member.assignment.length === 0 ? (
                      <span class="muted">nothing</span>
                    ) : (
                      member.assignment.map((a) => (
                        <div>
                          <Link href={topicPath(a.topic)}>{a.topic}</Link> <span class="mono">[{a.partitions.join(', ')}]</span>
                        </div>
                      ))
                    )}
                  </td>
                  <td>expires in {duration(Math.max(0, Math.round(member.expires_in_ms / 1000) * 1000))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Partitions" flush>
        {info.partitions.length === 0 ? (
          <Empty>The group reads no partitions yet.</Empty>
        ) : (
          <table class="table" data-testid="group-partitions">
            <thead>
              <tr>
                <th>Topic</th>
                <th class="num">Partition</th>
                <th>Assigned to</th>
                <th class="num">Committed</th>
                <th class="num">High watermark</th>
                <th class="num">Lag</th>
                <th class="num">Nacked</th>
              </tr>
            </thead>
            <tbody>
              {info.partitions.map((p) => (
                <tr key={`${p.topic}:${p.partition}`} data-topic={p.topic} data-partition={p.partition}>
                  <td>
                    <Link href={topicPath(p.topic)}>{p.topic}</Link>
                  </td>
                  <td class="num">{p.partition}</td>
                  <td>{p.assigned_to ? memberName.get(p.assigned_to) ?? p.assigned_to : <span class="muted">unassigned</span>}</td>
                  <td class="num mono">{p.committed_offset === null ? '–' : count(p.committed_offset)}</td>
                  <td class="num mono">{count(p.high_watermark)}</td>
                  <td class="num" data-testid="partition-lag">
                    {count(p.lag)}
                  </td>
                  <td class="num">{p.nacked > 0 ? <Badge tone="warn">{p.nacked}</Badge> : 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
