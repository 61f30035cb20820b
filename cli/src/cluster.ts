// `tributary cluster`: the broker's view of the cluster (GET /cluster: registered brokers with their last
// heartbeat, the controller and its epoch, the broker's Redis and ZooKeeper) and each service's readiness
// (GET /readyz on the broker and the gateway, which names the state of each dependency). Exits 1 when either
// service is unreachable or not ready, after printing the report; "degraded" (serving without ZooKeeper) is
// not a failure.
import { Command } from 'commander';
import type { ServiceClient } from './client.js';
import { contextOf } from './context.js';
import { CliError } from './errors.js';
import type { ClusterInfo, NotReady, Readiness } from '@tributary/core';
import { fields, printJson, printLines, table } from './output.js';

interface ServiceHealth {
  url: string;
  status: 'ready' | 'degraded' | 'not ready' | 'unreachable';
  redis?: string;
  zookeeper?: string;
  message?: string;
}

export function clusterCommand(): Command {
  return new Command('cluster')
    .description('brokers (alive or not), the controller, and Redis and ZooKeeper health as the services see them')
    .action(async function (this: Command) {
      const context = contextOf(this);
      const brokerClient = context.brokerClient();
      const [cluster, broker, gateway] = await Promise.all([
        brokerClient.get<ClusterInfo>('/cluster'),
        readiness(brokerClient),
        readiness(context.gatewayClient()),
      ]);

      if (context.json) printJson({ ...cluster, broker, gateway });
      else printLines(clusterText(cluster, { broker, gateway }));

      const unhealthy = Object.entries({ broker, gateway }).filter(([, health]) => health.status === 'not ready' || health.status === 'unreachable');
      if (unhealthy.length > 0) {
        throw new CliError(`not healthy: ${unhealthy.map(([name, health]) => `${name} ${health.status}`).join(', ')}`);
      }
    });
}

async function readiness(service: ServiceClient): Promise<ServiceHealth> {
  const url = service.baseUrl;
  try {
    // /readyz answers 503 with the same body when a dependency is down: that is a report, not a failure.
    const response = await service.send('GET', '/readyz');
    const body = (await response.json().catch(() => ({}))) as Partial<Readiness & NotReady>;
    const checks = body.checks ?? {};
    return {
      url,
      status: !response.ok ? 'not ready' : body.status === 'degraded' ? 'degraded' : 'ready',
      redis: checks['redis'],
      zookeeper: checks['zookeeper'],
      ...(response.ok ? {} : { message: body.message ?? `${response.status} ${response.statusText}` }),
    };
  } catch (err) {
    return { url, status: 'unreachable', message: (err as Error).message };
  }
}

function clusterText(cluster: ClusterInfo, services: Record<'broker' | 'gateway', ServiceHealth>): string {
  const controllerId = cluster.controller?.broker_id;
  const brokers =
    cluster.brokers.length === 0
      ? 'no brokers registered'
      : table(
          ['broker', 'address', 'version', 'started', 'last seen', 'alive', 'controller'],
          cluster.brokers.map((b) => [
            b.id,
            `${b.host}:${b.port}`,
            b.version,
            b.started_at,
            b.last_seen,
            b.alive ? 'yes' : 'no',
            b.id === controllerId ? 'yes' : '',
          ]),
        );
  const { controller } = cluster;
  return [
    brokers,
    '',
    fields([
      ['controller', controller ? `${controller.broker_id} (epoch ${controller.epoch}, elected ${controller.elected_at})` : 'none'],
      ['redis', cluster.redis.address],
      ['zookeeper', `${cluster.zookeeper.address} (root ${cluster.zookeeper.root})`],
    ]),
    '',
    table(
      ['service', 'url', 'status', 'redis', 'zookeeper'],
      Object.entries(services).map(([name, health]) => [name, health.url, health.status, health.redis, health.zookeeper]),
    ),
    ...Object.entries(services).flatMap(([name, health]) => (health.message ? ['', `${name}: ${health.message}`] : [])),
  ].join('\n');
}
