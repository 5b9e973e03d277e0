/// <reference lib="dom" />
/**
 * Chromium on the in-process website, signed in as one person: a page with the session's cookie,
 * a generous default timeout (the machine is shared) and the axe-core audit attached.
 */
import { CHROMIUM_LAUNCH_OPTIONS } from '@murmur/devkit/browser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AccessibilityAudit } from './_accessibility.js';
import type { Session } from './_helpers.js';

export interface SignedInBrowser {
  browser: Browser;
  page: Page;
  audit: AccessibilityAudit;
}

export async function openSignedInBrowser(
  origin: string,
  session: Session,
): Promise<SignedInBrowser> {
  const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addCookies([{ name: 'murmur_session', value: session.sessionId, url: origin }]);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const audit = await AccessibilityAudit.attach(page);
  return { browser, page, audit };
}
