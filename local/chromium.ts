import type { Browser } from 'playwright-core';

/** Debian's Chromium, which `npm test` installs (scripts/ensure-chromium.sh); never a browser download. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Headless, no sandbox (containers), nothing that reaches the network on its own. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** One way to start the browser: preview's screenshots and the e2e tests. */
export async function launchChromium(executablePath: string = DEFAULT_CHROMIUM): Promise<Browser> {
  // A development dependency: `npm install --omit=dev` (enough for `npm start`) leaves it out.
  const { chromium } = await import('playwright-core').catch((cause: unknown) => {
    throw new Error(
      'playwright-core is not installed (a development dependency): run "npm install", or pass --skip-screenshots',
      { cause },
    );
  });
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
