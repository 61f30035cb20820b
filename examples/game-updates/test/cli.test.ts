// The README's commands, run as a user runs them: the built producer and player scripts as child processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type RunningStack } from '@tributary/example-kit/testing';
import { uniqueEmail, uniqueName } from '@tributary/testkit';
import { topicOf } from '../src/updates.js';
import { runScript } from './run.js';

let stack: RunningStack;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startStack();
  env = { BROKER_URL: stack.brokerUrl, GATEWAY_URL: stack.gatewayUrl };
});
afterAll(async () => {
  await stack?.close();
});

describe('the producer and player scripts', () => {
  it('publish, follow, list, read the feed and unfollow', { timeout: 120_000 }, async () => {
    const game = uniqueName('chess');
    const email = uniqueEmail();
    const published = await runScript('producer.js', ['publish', game, 'patch', 'Balance changes', 'Knights cost more'], env);
    expect(published.code, published.stderr).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ game, kind: 'patch', title: 'Balance changes', body: 'Knights cost more' });
    await stack.gatewayKnows(topicOf(game));

    const follow = await runScript('player.js', ['follow', email, game], env);
    expect(follow.code, follow.stderr).toBe(0);
    expect(follow.stdout).toBe(`${email} now follows ${game}\n`);
    expect((await runScript('player.js', ['follow', email, game], env)).stdout).toBe(`${email} already follows ${game}\n`);
    expect((await runScript('player.js', ['following', email], env)).stdout).toBe(`${game}\n`);

    // From earliest: the update published before the follow is in the feed, once.
    const feed = await runScript('player.js', ['feed', email], env);
    expect(feed.code, feed.stderr).toBe(0);
    expect(feed.stdout).toMatch(new RegExp(`^\\S+Z  ${game}  \\[patch\\] Balance changes — Knights cost more\\n$`));
    expect((await runScript('player.js', ['feed', email], env)).stdout).toBe(''); // nothing new

    const unfollow = await runScript('player.js', ['unfollow', email, game], env);
    expect(unfollow.stdout).toBe(`${email} no longer follows ${game}\n`);
    expect((await runScript('player.js', ['following', email], env)).stdout).toBe(`${email} follows no games\n`);
  });

  it('exit 1 with a message on a mistake', { timeout: 60_000 }, async () => {
    const usage = await runScript('player.js', ['feed'], env);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/^player: usage: player\.js follow/);
    const badGame = await runScript('producer.js', ['publish', 'Not A Slug', 'patch', 'x'], env);
    expect(badGame.code).toBe(1);
    expect(badGame.stderr).toMatch(/slug/);
    const badEmail = await runScript('player.js', ['follow', 'not-an-email', 'chess'], env);
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toMatch(/^player: email must be an address/);
    const badKind = await runScript('producer.js', ['publish', 'chess', 'rumour', 'x'], env);
    expect(badKind.code).toBe(1);
    expect(badKind.stderr).toMatch(/usage: producer\.js/);
  });
});
