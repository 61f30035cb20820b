// POST /replay, GET /replay/:id, GET /replays, DELETE /replay/:id: copy a time window of a topic, filtered by
// a condition on the record values, into another topic or to one consumer group, with progress.
import { Type, type Static } from '@sinclair/typebox';
import { TopicName } from './common.js';
import { GroupName } from './groups.js';

const time = (description: string) => Type.Union([Type.Integer({ minimum: 0, description: 'Unix ms' }), Type.String({ minLength: 1, maxLength: 64, description: 'ISO 8601' })], { description });

export const ReplayRequest = Type.Object(
  {
    topic: TopicName,
    target: Type.Union(
      [
        Type.Object({ topic: TopicName }, { additionalProperties: false }),
        Type.Object({ group: GroupName }, { additionalProperties: false }),
      ],
      {
        description:
          'where the matching records go: {"topic": name} writes them to that topic (every reader of it gets them); {"group": name} delivers them to that consumer group only, through its replay topic __replay.<group>',
      },
    ),
    from: Type.Optional(time('records appended at or after this time (default: the oldest kept)')),
    to: Type.Optional(time('records appended at or before this time (default: now); never later than now')),
    filter: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            'a MongoDB-style condition on the record value, e.g. {"type": "match.end", "score": {"$gte": 100}}; operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $and $or $nor $not $all $size $elemMatch $mod',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ReplayRequest = Static<typeof ReplayRequest>;

export const ReplayIdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) }, { additionalProperties: false });
export type ReplayIdParams = Static<typeof ReplayIdParams>;

export const ReplayAnswer = Type.Object({
  replay_id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('cancelled')]),
  topic: Type.String(),
  target: Type.Object({ topic: Type.String(), group: Type.Optional(Type.String({ description: 'for a replay into a consumer group' })) }),
  from: Type.Integer({ description: 'Unix ms' }),
  to: Type.Integer({ description: 'Unix ms' }),
  filter: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  created_at: Type.String({ description: 'ISO 8601' }),
  finished_at: Type.Union([Type.String({ description: 'ISO 8601' }), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  progress: Type.Object({
    records_total: Type.Integer({ description: 'records in the scanned offset ranges: scanned ends there' }),
    scanned: Type.Integer(),
    matched: Type.Integer(),
    written: Type.Integer({ description: 'matched records stored in the target (a record written before a restart counts once)' }),
    percent: Type.Number(),
  }),
  partitions: Type.Array(Type.Object({ partition: Type.Integer(), position: Type.Integer(), end: Type.Integer() })),
});
export type ReplayAnswer = Static<typeof ReplayAnswer>;

export const ReplayList = Type.Object({ replays: Type.Array(ReplayAnswer) });
export type ReplayList = Static<typeof ReplayList>;
