// `tributary cluster`: the broker's view of the cluster (GET /cluster: registered brokers, the controller,
// its Redis and ZooKeeper connections) and the gateway's readiness (GET /readyz, which names the state of
// each dependency). Exits 1 when either service is unreachable or not ready, after printing the report.
import { Command } from 'commander';
import type { ServiceClient } from './client.js';
import { contextOf } from './context.js';
import { CliError } from './errors.js';
import { fields, printJson, printLines, table } from './output.js';

/** GET /cluster on the broker. */
interface ClusterInfo {
  brokers: Array<{ id: string; host: string; port: number; startedAt: string; version: string }>;
  controller: { instanceId: string; electedAt: string } | null;
  this_broker: { id: string; controller: boolean };
  redis: { address: string; state: string };
  zookeeper: { address: string; root: string; state: string };
}

interface ServiceHealth {
  url: string;
  status: 'ready' | 'not ready' | 'unreachable';
  redis?: string;
  zookeeper?: string;
  message?: string;
}

export function clusterCommand(): Command {
  return new Command('cluster')
    .description('registered brokers, the controller, and Redis and ZooKeeper health as the services see them')
    .action(async function (this: Command) {
      const context = contextOf(this);
      const broker = context.brokerClient();
      const [cluster, gateway] = await Promise.all([broker.get<ClusterInfo>('/cluster'), gatewayHealth(context.gatewayClient())]);
      const brokerHealth: ServiceHealth = {
        url: broker.baseUrl,
        status: cluster.redis.state === 'ready' && cluster.zookeeper.state === 'ready' ? 'ready' : 'not ready',
        redis: cluster.redis.state,
        zookeeper: cluster.zookeeper.state,
      };

      if (context.json) printJson({ ...cluster, gateway });
      else printLines(clusterText(cluster, brokerHealth, gateway));

      const unhealthy = Object.entries({ broker: brokerHealth, gateway }).filter(([, health]) => health.status !== 'ready');
      if (unhealthy.length > 0) {
        throw new CliError(`not healthy: ${unhealthy.map(([name, health]) => `${name} ${health.status}`).join(', ')}`);
      }
    });
}

async function gatewayHealth(gateway: ServiceClient): Promise<ServiceHealth> {
  const url = gateway.baseUrl;
  try {
    // /readyz answers 503 with the same body when a dependency is down: that is a report, not a failure.
    const response = await gateway.send('GET', '/readyz');
    const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, string>; message?: string };
    const checks = body.checks ?? {};
    return {
      url,
      status: response.ok ? 'ready' : 'not ready',
      redis: checks['redis'],
      zookeeper: checks['zookeeper'],
      ...(response.ok ? {} : { message: body.message ?? `${response.status} ${response.statusText}` }),
    };
  } catch (err) {
    return { url, status: 'unreachable', message: (err as Error).message };
  }
}

function clusterText(cluster: ClusterInfo, broker: ServiceHealth, gateway: ServiceHealth): string {
  const controllerId = cluster.controller?.instanceId;
  const brokers =
    cluster.brokers.length === 0
      ? 'no brokers registered'
      : table(
          ['broker', 'address', 'version', 'started', 'controller'],
          cluster.brokers.map((b) => [b.id, `${b.host}:${b.port}`, b.version, b.startedAt, b.id === controllerId ? 'yes' : '']),
        );
  return [
    brokers,
    '',
    fields([
      ['controller', cluster.controller ? `${cluster.controller.instanceId} (elected ${cluster.controller.electedAt})` : 'none'],
      ['redis', cluster.redis.address],
      ['zookeeper', `${cluster.zookeeper.address} (root ${cluster.zookeeper.root})`],
    ]),
    '',
    table(
      ['service', 'url', 'status', 'redis', 'zookeeper'],
      [
        ['broker', broker.url, broker.status, broker.redis, broker.zookeeper],
        ['gateway', gateway.url, gateway.status, gateway.redis, gateway.zookeeper],
      ],
    ),
    ...(gateway.message ? ['', `gateway: ${gateway.message}`] : []),
  ].join('\n');
}
