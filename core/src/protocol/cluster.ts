// GET /cluster: the brokers, the controller, and the answering broker's view of Redis and ZooKeeper.
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './common.js';

export const BrokerInfo = Type.Object({
  id: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  started_at: Type.String({ description: 'ISO 8601' }),
  version: Type.String(),
  last_seen: Nullable(Type.String({ description: 'the broker’s last heartbeat in Redis (null: none seen)' })),
  alive: Type.Boolean({ description: 'heartbeating now: a killed broker stays listed until ZooKeeper times its session out' }),
});
export type BrokerInfo = Static<typeof BrokerInfo>;

export const ControllerInfo = Type.Object({ broker_id: Type.String(), epoch: Type.Integer(), elected_at: Type.String() });
export type ControllerInfo = Static<typeof ControllerInfo>;

export const ClusterInfo = Type.Object({
  brokers: Type.Array(BrokerInfo),
  controller: Type.Unsafe<ControllerInfo | null>({ ...ControllerInfo, type: ['object', 'null'], description: 'null while no broker is controller' }),
  this_broker: Type.Object({ id: Type.String(), controller: Type.Boolean() }),
  redis: Type.Object({ address: Type.String(), state: Type.String() }),
  zookeeper: Type.Object({ address: Type.String(), root: Type.String(), state: Type.String() }),
});
export type ClusterInfo = Static<typeof ClusterInfo>;
