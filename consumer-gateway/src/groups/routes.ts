// The consumer-group routes, a Fastify plugin: members join, fetch, heartbeat, commit, nack and leave; groups
// are listed, described, configured, reset and deleted. Handlers validate (the schemas of
// core/src/protocol/groups.ts) and delegate. The plugin also runs this gateway's session sweep (sweep.ts) from
// the app's ready to its close.
import type { FastifyPluginAsync } from 'fastify';
import {
  clusterResource,
  errorResponses,
  FetchAnswer,
  FetchQuery,
  GroupCommitAnswer,
  GroupCommitBody,
  GroupConfigAnswer,
  GroupConfigBody,
  GroupDeleted,
  GroupDescription,
  GroupList,
  GroupOffsets,
  GroupParams,
  groupResource,
  JoinBody,
  LeaveAnswer,
  MemberParams,
  MemberView,
  NackAnswer,
  NackBody,
  OffsetResetBody,
  topicPatternResource,
  TributaryError,
  withMessagesJson,
} from '@tributary/core';
import { clientGone } from '../read-routes.js';
import type { GroupAdmin, OffsetReset } from './admin.js';
import type { GroupCommits } from './commits.js';
import type { GroupFetcher } from './fetch.js';
import { groupConfigOf, type GroupMembership } from './membership.js';
import type { GroupNacks } from './nacks.js';
import type { GroupSweeper } from './sweep.js';

export interface Groups {
  membership: GroupMembership;
  fetcher: GroupFetcher;
  commits: GroupCommits;
  nacks: GroupNacks;
  admin: GroupAdmin;
  sweeper: GroupSweeper;
}

/** Bodies of member routes: a join may list up to 1,000 topics, a commit up to 10,000 offsets. */
const BODY_LIMIT_BYTES = 1024 * 1024;

const consumeGroup = { access: { operation: 'consume', resource: groupResource } } as const;
const describeGroup = { access: { operation: 'describe', resource: groupResource } } as const;
const adminGroup = { access: { operation: 'admin', resource: groupResource } } as const;

export const groupRoutes: FastifyPluginAsync<{ groups: Groups }> = async (app, { groups }) => {
  const { membership, fetcher, commits, nacks, admin, sweeper } = groups;
  app.addHook('onReady', async () => sweeper.start());
  app.addHook('onClose', async () => sweeper.stop());

  app.post<{ Params: GroupParams; Body: JoinBody }>(
    '/groups/:group/members',
    {
      config: consumeGroup,
      bodyLimit: BODY_LIMIT_BYTES,
      schema: { params: GroupParams, body: JoinBody, response: { 201: MemberView, ...errorResponses } },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      if ((body.topics === undefined) === (body.pattern === undefined)) {
        throw new TributaryError('INVALID_REQUEST', 'send either "topics": [...] or "pattern": "<glob>"');
      }
      // A member reads the topics it joins with: the principal needs consume on each (for a pattern, on
      // every topic it could match), besides consume on the group.
      for (const resource of body.topics?.map((topic) => `topic:${topic}`) ?? [topicPatternResource(body.pattern!)]) {
        request.authorize('consume', resource);
      }
      const view = await membership.join(request.params.group, body);
      return reply.code(201).send({ group: request.params.group, ...view });
    },
  );

  app.get<{ Params: MemberParams; Querystring: FetchQuery }>(
    '/groups/:group/members/:member/records',
    // 200 is JSON text built by fetch.ts: stored records are spliced in, not re-serialized (the schema documents it).
    { config: consumeGroup, schema: { params: MemberParams, querystring: FetchQuery, response: { 200: FetchAnswer, ...errorResponses } } },
    async (request, reply) => {
      const { params, query } = request;
      const { messages, ...fields } = await fetcher.fetch({
        group: params.group,
        member: params.member,
        max: query.max,
        maxBytes: query.max_bytes,
        waitMs: query.wait_ms,
        autoCommit: query.commit === 'auto',
        ...(query.wait_ms > 0 ? { signal: clientGone(request) } : {}),
      });
      return reply.type('application/json; charset=utf-8').send(withMessagesJson(fields, messages));
    },
  );

  app.post<{ Params: MemberParams }>(
    '/groups/:group/members/:member/heartbeat',
    { config: consumeGroup, schema: { params: MemberParams, response: { 200: MemberView, ...errorResponses } } },
    async (request) => ({ group: request.params.group, ...(await membership.sync(request.params.group, request.params.member)).view }),
  );

  app.post<{ Params: MemberParams; Body: GroupCommitBody }>(
    '/groups/:group/members/:member/commit',
    {
      config: consumeGroup,
      bodyLimit: BODY_LIMIT_BYTES,
      schema: { params: MemberParams, body: GroupCommitBody, response: { 200: GroupCommitAnswer, ...errorResponses } },
    },
    async (request) => {
      const { group, member } = request.params;
      return { group, member_id: member, offsets: await commits.commit(group, member, request.body.offsets) };
    },
  );

  app.post<{ Params: MemberParams; Body: NackBody }>(
    '/groups/:group/members/:member/nack',
    { config: consumeGroup, schema: { params: MemberParams, body: NackBody, response: { 200: NackAnswer, ...errorResponses } } },
    async (request) => nacks.nack(request.params.group, request.params.member, request.body),
  );

  app.delete<{ Params: MemberParams }>(
    '/groups/:group/members/:member',
    { config: consumeGroup, schema: { params: MemberParams, response: { 200: LeaveAnswer, ...errorResponses } } },
    async (request) => ({ group: request.params.group, left: true, ...(await membership.leave(request.params.group, request.params.member)) }),
  );

  app.get(
    '/groups',
    { config: { access: { operation: 'describe', resource: clusterResource } }, schema: { response: { 200: GroupList, ...errorResponses } } },
    async () => ({ groups: await admin.list() }),
  );

  app.get<{ Params: GroupParams }>(
    '/groups/:group',
    { config: describeGroup, schema: { params: GroupParams, response: { 200: GroupDescription, ...errorResponses } } },
    async (request) => admin.describe(request.params.group),
  );

  app.put<{ Params: GroupParams; Body: GroupConfigBody | undefined }>(
    '/groups/:group/config',
    { config: adminGroup, schema: { params: GroupParams, body: GroupConfigBody, response: { 200: GroupConfigAnswer, ...errorResponses } } },
    async (request) => admin.configure(request.params.group, groupConfigOf(request.body ?? {})),
  );

  app.post<{ Params: GroupParams; Body: OffsetResetBody | undefined }>(
    '/groups/:group/offsets',
    { config: adminGroup, schema: { params: GroupParams, body: OffsetResetBody, response: { 200: GroupOffsets, ...errorResponses } } },
    async (request) => admin.resetOffsets(request.params.group, offsetReset(request.body ?? {})),
  );

  app.delete<{ Params: GroupParams }>(
    '/groups/:group',
    { config: adminGroup, schema: { params: GroupParams, response: { 200: GroupDeleted, ...errorResponses } } },
    async (request) => admin.delete(request.params.group),
  );
};

function offsetReset({ to, timestamp, offsets, topics }: OffsetResetBody): OffsetReset {
  const given = [to, timestamp, offsets].filter((field) => field !== undefined).length;
  if (given !== 1 || (offsets !== undefined && topics !== undefined)) {
    throw new TributaryError(
      'INVALID_REQUEST',
      'send exactly one of {"to": "earliest" | "latest"} or {"timestamp": ms} (each optionally with "topics": [...]), or {"offsets": [{topic, partition, offset}]}',
    );
  }
  if (offsets !== undefined) return { offsets };
  const scope = topics === undefined ? {} : { topics };
  return to !== undefined ? { to, ...scope } : { timestamp: timestamp!, ...scope };
}
