// The examples' test helpers: run by vitest only (TypeScript as it is, like every test file, on the
// testkit's Redis and ZooKeeper), so the examples' runtime never loads playwright, the broker or the gateway.
export { launchChromium, type HeadlessBrowser } from '@tributary/testkit';
export { startStack, type RunningStack, type StackOptions } from './stack.js';
