import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the CLI tests run the built binary.
    alias: {
      '@tributary/core': src('core'),
      '@tributary/local-stack': src('local-stack'),
      '@tributary/testkit': fileURLToPath(new URL('./testkit/src/index.ts', import.meta.url)),
      '@tributary/broker': src('broker'),
      '@tributary/consumer-gateway': src('consumer-gateway'),
    },
  },
  test: {
    include: ['*/src/**/*.test.ts', '*/test/**/*.test.ts'],
    globalSetup: ['testkit/src/global-setup.ts'],
    reporters: ['default', './testkit/src/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
