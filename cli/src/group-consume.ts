// `tributary consume <topic> --group G`: consume as a member of a consumer group. It joins (under --member if
// given), prints the records the group gives it as partition<TAB>offset<TAB>key<TAB>value, commits after
// printing, and leaves when it stops (caught up without --follow, --max, or Ctrl-C), so its partitions go to
// the other members at once instead of after its session timeout.
import { path, type ServiceClient } from './client.js';
import { consume, valueText, type Batch, type ConsumeOptions, type Consumer, type Message } from './consume.js';
import type { FetchAnswer, GroupMessage, MemberView, PartitionAssignment } from '@tributary/core';
import { note } from './output.js';

const describe = (assignment: PartitionAssignment[]) =>
  assignment.length === 0 ? 'no partitions' : assignment.map(({ topic, partitions }) => `${topic} ${partitions.join(',')}`).join('; ');

export async function consumeAsMember(gateway: ServiceClient, topic: string, options: ConsumeOptions & { group: string }, stop: AbortSignal, json: boolean): Promise<void> {
  const { group } = options;
  const joined = await gateway.post<MemberView>(path`/groups/${group}/members`, {
    body: { topics: [topic], ...(options.member ? { member: options.member } : {}), ...(options.from ? { from: options.from } : {}) },
  });
  const member = joined.member_id;
  if (!json) note(`joined group ${group} as ${member} (generation ${joined.generation}): ${describe(joined.assignment)}`);
  let assignment = describe(joined.assignment);
  const consumer: Consumer = {
    async read(max, waitMs, signal): Promise<Batch> {
      const fetched = await gateway.get<FetchAnswer>(path`/groups/${group}/members/${member}/records`, {
        query: { max, wait_ms: waitMs },
        timeoutMs: waitMs + 15_000,
        signal,
      });
      const now = describe(fetched.assignment);
      if (!json && now !== assignment) note(`generation ${fetched.generation}: now ${now}`);
      assignment = now;
      return { messages: fetched.messages, caughtUp: fetched.messages.length === 0 && fetched.pending.length === 0 };
    },
    async commit(_batch, shown) {
      const next = new Map<string, { topic: string; partition: number; offset: number }>();
      // What read() answered: a fetch's records, each naming its topic and partition.
      for (const m of shown as GroupMessage[]) next.set(`${m.topic}/${m.partition}`, { topic: m.topic, partition: m.partition, offset: m.offset + 1 });
      if (next.size > 0) await gateway.post(path`/groups/${group}/members/${member}/commit`, { body: { offsets: [...next.values()] } });
    },
    line: (message) => `${message.partition}\t${message.offset}\t${message.key ?? ''}\t${valueText(message)}`,
  };
  try {
    await consume(consumer, options, stop, json);
  } finally {
    // Its partitions go to the others now, not after the session timeout. Best effort: an expired member is gone already.
    await gateway.delete(path`/groups/${group}/members/${member}`).catch(() => {});
    if (!json) note(`left group ${group}`);
  }
}
