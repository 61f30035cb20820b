// The session sweep: every gateway, every SWEEP_INTERVAL_MS, removes the members of every group whose
// session has expired, whether or not any request arrives for that group, so their partitions go to the
// others. The group index (trib:{groups}:index) notes, per group, the earliest time a session may expire: a
// sweep asks only for the groups due, expires their dead members (updateMembers-6.lua, which releases their
// leases and bumps the generation), and notes each group's next time. Every step is atomic and idempotent, so
// any number of gateways sweep at once without coordinating; a noted time moves only by compare-and-set, so
// an earlier one noted by a join meanwhile is never lost.
//
// A dead member's partitions therefore stay idle at most its session timeout plus one sweep interval (plus
// the clock difference between the Redis shards of the group and of the index): a member whose session has
// expired is also treated as gone by syncOwnership at once, so its partitions move as soon as another member
// asks for them, even before the sweep.
import type { GroupStore, Logger } from '@tributary/core';

/** How often each gateway looks for expired sessions. */
export const SWEEP_INTERVAL_MS = 250;
/** Groups swept per look; more wait for the next. */
const GROUPS_PER_SWEEP = 100;

export class GroupSweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly store: GroupStore,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.#timer ??= setInterval(() => {
      this.#running ??= this.sweep()
        .catch((err: unknown) => this.log.warn({ err }, 'group session sweep failed; will retry'))
        .finally(() => (this.#running = undefined));
    }, SWEEP_INTERVAL_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One look: expires the dead members of every group due, and notes each one's next time. */
  async sweep(): Promise<void> {
    for (const { group, noted } of await this.store.dueSweeps(GROUPS_PER_SWEEP)) {
      const { expired, earliestDeadline } = await this.store.expire(group);
      if (expired > 0) this.log.info({ group, expired }, 'removed group members whose sessions expired');
      await this.store.reschedule(group, noted, earliestDeadline);
    }
  }
}
