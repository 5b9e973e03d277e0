/**
 * How the tests launch Chromium: Debian's own build (never a downloaded one), headless, with
 * nothing that reaches out to the network by itself. Pass to playwright-core's `chromium.launch`.
 */
export const CHROMIUM_LAUNCH_OPTIONS = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
};
