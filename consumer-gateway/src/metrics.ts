// The gateway's gauges in /metrics, set when scraped: long-poll waiters, and lag per consumer group and topic.
// Lag costs Redis reads (each group's state and its topics' offsets), so it is computed only on a scrape and
// for at most METRICS_MAX_TOPICS groups (in name order), each topic label bounded like every per-topic series.
import type { ServiceMetrics, Storage } from '@tributary/core';
import type { GroupAdmin } from './groups/admin.js';
import type { AppendWaiters } from './waiters.js';

export function registerGatewayMetrics(metrics: ServiceMetrics, { waiters, storage, groups, maxGroups }: { waiters: AppendWaiters; storage: Storage; groups: GroupAdmin; maxGroups: number }): void {
  metrics.gauge('tributary_long_poll_waiters', 'Reads waiting for records (long polls)', [], (gauge) => {
    gauge.set(waiters.stats.waiters);
  });
  metrics.gauge('tributary_long_poll_channels', 'Partitions with at least one waiting read (channels subscribed)', [], (gauge) => {
    gauge.set(waiters.stats.channels);
  });
  metrics.gauge('tributary_group_lag_records', 'Records not yet committed by a consumer group, per topic', ['group', 'topic'], async (gauge) => {
    gauge.reset();
    try {
      const names = (await storage.groups.list()).sort().slice(0, maxGroups);
      const described = await Promise.all(names.map((group) => groups.describe(group).catch(() => undefined)));
      for (const group of described) {
        if (!group) continue;
        const byTopic = new Map<string, number>();
        for (const { topic, lag } of group.partitions) {
          const label = metrics.topic(topic);
          byTopic.set(label, (byTopic.get(label) ?? 0) + lag);
        }
        for (const [topic, lag] of byTopic) gauge.set({ group: group.group, topic }, lag);
      }
    } catch {
      // Redis away: no lag series this scrape, rather than a failed scrape (the Redis failures are counted).
    }
  });
}
