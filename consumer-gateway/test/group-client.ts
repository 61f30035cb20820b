// HTTP helpers for consumer-group tests: one member's calls against one gateway, through app.inject().
import { expect } from 'vitest';
import type { FetchAnswer, GroupMessage, MemberView as MemberAnswer, PartitionAssignment as Assignment } from '@tributary/core';
import type { Gateway } from '../src/index.js';

// The answers, as the gateway's schemas say (core/src/protocol/groups.ts).
export type { Assignment, FetchAnswer, GroupMessage, MemberAnswer };

export function groupApi(gateway: Gateway) {
  const inject = gateway.app.inject.bind(gateway.app);
  return {
    join: (group: string, body: object) => inject({ method: 'POST', url: `/groups/${group}/members`, payload: body }),
    fetch: (group: string, member: string, query = '') => inject({ method: 'GET', url: `/groups/${group}/members/${member}/records${query}` }),
    heartbeat: (group: string, member: string) => inject({ method: 'POST', url: `/groups/${group}/members/${member}/heartbeat` }),
    commit: (group: string, member: string, offsets: Array<{ topic: string; partition: number; offset: number }>) =>
      inject({ method: 'POST', url: `/groups/${group}/members/${member}/commit`, payload: { offsets } }),
    nack: (group: string, member: string, body: object) => inject({ method: 'POST', url: `/groups/${group}/members/${member}/nack`, payload: body }),
    leave: (group: string, member: string) => inject({ method: 'DELETE', url: `/groups/${group}/members/${member}` }),
    list: () => inject({ method: 'GET', url: '/groups' }),
    describe: (group: string) => inject({ method: 'GET', url: `/groups/${group}` }),
    configure: (group: string, body: object) => inject({ method: 'PUT', url: `/groups/${group}/config`, payload: body }),
    resetOffsets: (group: string, body: object) => inject({ method: 'POST', url: `/groups/${group}/offsets`, payload: body }),
    remove: (group: string) => inject({ method: 'DELETE', url: `/groups/${group}` }),
  };
}

/** A member of a group on one gateway, with the calls a client makes. */
export class Member {
  private constructor(
    readonly api: ReturnType<typeof groupApi>,
    readonly group: string,
    readonly id: string,
    public last: MemberAnswer,
  ) {}

  static async join(gateway: Gateway, group: string, body: object): Promise<Member> {
    const api = groupApi(gateway);
    const response = await api.join(group, body);
    expect(response.statusCode, response.body).toBe(201);
    const answer = response.json() as MemberAnswer;
    return new Member(api, group, answer.member_id, answer);
  }

  async fetch(query = ''): Promise<FetchAnswer> {
    const response = await this.api.fetch(this.group, this.id, query);
    expect(response.statusCode, response.body).toBe(200);
    this.last = response.json() as FetchAnswer;
    return this.last as FetchAnswer;
  }

  async heartbeat(): Promise<MemberAnswer> {
    const response = await this.api.heartbeat(this.group, this.id);
    expect(response.statusCode, response.body).toBe(200);
    this.last = response.json() as MemberAnswer;
    return this.last;
  }

  /** Commits past every message given (the next offset per partition). */
  async commitPast(messages: readonly GroupMessage[]): Promise<void> {
    const next = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const { topic, partition, offset } of messages) {
      const key = `${topic}/${partition}`;
      if ((next.get(key)?.offset ?? -1) < offset + 1) next.set(key, { topic, partition, offset: offset + 1 });
    }
    if (next.size === 0) return;
    const response = await this.api.commit(this.group, this.id, [...next.values()]);
    expect(response.statusCode, response.body).toBe(200);
  }

  async leave(): Promise<void> {
    const response = await this.api.leave(this.group, this.id);
    expect(response.statusCode, response.body).toBe(200);
  }

  /** The partitions this member holds now ("topic/p"), from its last answer: assigned and not pending. */
  get holds(): string[] {
    const pending = new Set(this.last.pending.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}/${p}`)));
    return this.last.assignment.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}/${p}`)).filter((p) => !pending.has(p));
  }
}
