// Debian's chromium, headless, driven by playwright-core (never a browser download of Playwright's own), for
// the web console's tests and the example applications' page tests: `npm test`'s bootstrap installs it with
// apt-get; elsewhere install Chromium and set CHROMIUM_PATH. playwright-core is loaded only by a test that
// launches a browser.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HeadlessBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A browser with a fresh profile of its own (named after `name`, to tell them apart), removed on close. */
export async function launchChromium(name = 'console'): Promise<HeadlessBrowser> {
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: run npm test (it installs Debian's chromium), or set CHROMIUM_PATH`);
  }
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), `tributary-${name}-chromium-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args,
    viewport: { width: 1360, height: 860 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
