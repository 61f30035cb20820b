// The example applications `tributary demo` runs on the local stack, as their READMEs run them: each part is
// one of the example's built scripts (examples/<name>/dist) with its settings in the environment. Only the
// what lives here; demo.ts starts, prefixes and stops the processes.
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** One process of an example. */
export interface DemoPart {
  /** Its output's prefix, as `up` prefixes its services': [leaderboard-simulator] … */
  name: string;
  /** The built script, under examples/. */
  script: string;
  args?: string[];
  env: Record<string, string>;
  /**
   * One-shot commands (arguments to the same script) run first, each again until it exits 0: the game-updates
   * player follows games that exist only once the producer has created their topics.
   */
  before?: string[][];
  /** Lines shown at most every 10 s: progress the example prints several times a second. */
  throttle?: RegExp;
}

export interface DemoExample {
  name: string;
  readme: string;
  /** What to open (or run), printed once everything is up. */
  links: Array<{ label: string; text: string }>;
  parts: DemoPart[];
  /** Ports the example's servers listen on, checked free before anything starts. */
  ports: Array<{ port: number; variable: string }>;
  /** Its pages: the URLs are printed once these answer. */
  pages: string[];
}

export interface DemoSettings {
  brokerUrl: string;
  gatewayUrl: string;
  /** The stack's single Redis: the examples keep their own keys there, under their own prefixes. */
  redisUrl: string;
  /** Events per second of each simulator. */
  rate: number;
  leaderboardPort: number;
  analyticsPort: number;
  eventBusPort: number;
}

/** Where the examples are: the repository's examples/ beside cli/ (the demo runs from a checkout). */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export function demoExamples(settings: DemoSettings): DemoExample[] {
  const { brokerUrl, gatewayUrl, redisUrl, rate } = settings;
  const tributary = { BROKER_URL: brokerUrl, GATEWAY_URL: gatewayUrl };
  const leaderboardUrl = `http://localhost:${settings.leaderboardPort}`;
  const analyticsUrl = `http://localhost:${settings.analyticsPort}`;
  const eventBusUrl = `http://localhost:${settings.eventBusPort}`;
  const player = 'demo@example.com';
  return [
    {
      name: 'leaderboard',
      readme: 'examples/leaderboard/README.md',
      links: [
        { label: 'leaderboard', text: `${leaderboardUrl}   (live page; ${leaderboardUrl}/api/leaderboard, /api/stats)` },
      ],
      ports: [{ port: settings.leaderboardPort, variable: 'LEADERBOARD_PORT' }],
      pages: [leaderboardUrl],
      parts: [
        // Named members: a demo started again gets each its partitions back at once.
        ...['demo-1', 'demo-2'].map((member) => ({
          name: `leaderboard-processor-${member.slice(-1)}`,
          script: 'leaderboard/dist/processor.js',
          env: { ...tributary, REDIS_URL: redisUrl, MEMBER: member },
        })),
        {
          name: 'leaderboard-server',
          script: 'leaderboard/dist/server.js',
          env: { REDIS_URL: redisUrl, PORT: String(settings.leaderboardPort), HOST: '127.0.0.1' },
        },
        { name: 'leaderboard-simulator', script: 'leaderboard/dist/simulator.js', env: { ...tributary, RATE: String(rate) } },
      ],
    },
    {
      name: 'analytics',
      readme: 'examples/analytics/README.md',
      links: [{ label: 'analytics dashboard', text: `${analyticsUrl}   (${analyticsUrl}/api/aggregates, /api/group)` }],
      ports: [{ port: settings.analyticsPort, variable: 'ANALYTICS_PORT' }],
      pages: [analyticsUrl],
      parts: [
        ...['demo-1', 'demo-2'].map((member) => ({
          name: `analytics-aggregator-${member.slice(-1)}`,
          script: 'analytics/dist/aggregator.js',
          env: { ...tributary, REDIS_URL: redisUrl, MEMBER: member },
        })),
        {
          name: 'analytics-server',
          script: 'analytics/dist/server.js',
          env: { ...tributary, REDIS_URL: redisUrl, PORT: String(settings.analyticsPort), HOST: '127.0.0.1' },
        },
        {
          name: 'analytics-simulator',
          script: 'analytics/dist/simulator.js',
          // EVENTS=0: for ever. A seed of its own each start: the same seed again would repeat the same event
          // ids, which the aggregators count once, so a second demo would show nothing moving.
          env: { ...tributary, RATE: String(rate), EVENTS: '0', SEED: String(randomInt(2 ** 31)) },
          throttle: /^published \d+ events$/,
        },
      ],
    },
    {
      name: 'game-updates',
      readme: 'examples/game-updates/README.md',
      links: [
        {
          label: 'game updates',
          text: `no page: ${player}'s feed shows below as [game-updates-player]; try another player with`,
        },
        {
          label: '',
          text: `BROKER_URL=${brokerUrl} GATEWAY_URL=${gatewayUrl} node examples/game-updates/dist/player.js follow you@example.com chess`,
        },
      ],
      ports: [],
      pages: [],
      parts: [
        { name: 'game-updates-producer', script: 'game-updates/dist/producer.js', env: { ...tributary } },
        {
          name: 'game-updates-player',
          script: 'game-updates/dist/player.js',
          args: ['feed', player, '--follow'],
          before: ['chess', 'kart', 'tactics'].map((game) => ['follow', player, game, '--from', 'latest']),
          env: { ...tributary },
        },
      ],
    },
    {
      name: 'event-bus',
      readme: 'examples/event-bus/README.md',
      links: [
        { label: 'event bus', text: `${eventBusUrl}   (stats, subscriptions, replays); publish an event with` },
        {
          label: '',
          text: `curl -X POST ${eventBusUrl}/events/publish -H 'content-type: application/json' -d '{"event_type": "game.match.end", "source": "me", "payload": {"winner": "player456"}}'`,
        },
      ],
      ports: [{ port: settings.eventBusPort, variable: 'EVENT_BUS_PORT' }],
      pages: [eventBusUrl],
      parts: [
        {
          name: 'event-bus',
          script: 'event-bus/dist/server.js',
          env: { ...tributary, PORT: String(settings.eventBusPort), HOST: '127.0.0.1', INSTANCE: 'demo' },
        },
      ],
    },
  ];
}
