/**
 * Every document a browser test loads is audited with axe-core (WCAG 2.1 A and AA rules), without
 * the test having to ask: the audit starts when the document has loaded, and the test cannot leave
 * the document before its audit has finished: a navigation the page starts (a link, a form) is held
 * in `page.route`, and `page.goto`/`reload`/`goBack`/`goForward` first wait for the audit.
 * (Chromium does not answer a script evaluation in a page while a navigation that Playwright itself
 * started is held, so those are waited for before they start.) `check()` (after each test) waits
 * for the last audit and fails with the rule, the element and the help text of every serious or
 * critical violation.
 *
 * axe is evaluated through the DevTools protocol, which the page's CSP does not govern: the site
 * keeps its real CSP in the tests (no `bypassCSP`), so an inline script it should not have still
 * fails to run.
 */
import axe from 'axe-core';
import type { CDPSession, Page } from 'playwright-core';

/** The levels we claim: WCAG 2.0 and 2.1, A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
/** How long leaving a page waits for it to finish loading before auditing it as it is. */
const LOAD_GRACE_MS = 5_000;
const AUDIT_TIMEOUT_MS = 15_000;

export interface AuditedDocument {
  /** Path and query, as loaded. */
  path: string;
  title: string;
  /** The website's navigation offered "Sign out". */
  signedIn: boolean;
}

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; failureSummary: string }[];
}

/** In the page: axe with the WCAG tags, reduced to what a failure message needs (as JSON). */
const RUN_AXE = `(async () => {
  const results = await window.axe.run(document, {
    runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} },
  });
  return JSON.stringify({
    title: document.title,
    signedIn: document.querySelector('form[action="/auth/sign_out"]') !== null,
    findings: results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      helpUrl: violation.helpUrl,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(' '),
        html: node.html,
        failureSummary: node.failureSummary ?? '',
      })),
    })),
  });
})()`;

/** One document in the main frame, from its commit to the next navigation. */
interface LoadedDocument {
  path: string;
  loaded: Promise<void>;
  markLoaded(): void;
  audit: Promise<void> | null;
}

function newDocument(url: string): LoadedDocument {
  let markLoaded = () => {};
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  const parsed = new URL(url);
  return { path: parsed.pathname + parsed.search, loaded, markLoaded, audit: null };
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class AccessibilityAudit {
  /** Every document audited, in order. */
  readonly audited: AuditedDocument[] = [];
  /** Violations of lower impact (moderate, minor): reported, not failing. */
  readonly minor: string[] = [];
  /** Serious and critical violations, and audits that could not run, since the last check. */
  private failures: string[] = [];
  private document: LoadedDocument | null = null;
  /** page.goto (and the like) under way: the page being left can no longer be evaluated. */
  private playwrightNavigations = 0;

  private constructor(private readonly devtools: CDPSession) {}

  /** Audits every document `page` loads from now on. */
  static async attach(page: Page): Promise<AccessibilityAudit> {
    const devtools = await page.context().newCDPSession(page);
    const audit = new AccessibilityAudit(devtools);
    // The protocol's frameNavigated is a new document only (same-document navigations, such as a
    // click on `#reply`, are navigatedWithinDocument), and loadEventFired is the main frame's.
    devtools.on('Page.frameNavigated', ({ frame }) => {
      if (frame.parentId) return;
      audit.document = frame.url.startsWith('http') ? newDocument(frame.url) : null;
    });
    devtools.on('Page.loadEventFired', () => {
      const document = audit.document;
      if (!document) return;
      document.markLoaded();
      audit.start(document);
    });
    await devtools.send('Page.enable');
    await page.route('**/*', async (route, request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
        await audit.auditBeforeLeaving();
      }
      await route.continue();
    });
    for (const method of ['goto', 'reload', 'goBack', 'goForward'] as const) {
      const navigate = page[method].bind(page) as (...args: unknown[]) => Promise<unknown>;
      Object.assign(page, {
        [method]: async (...args: unknown[]) => {
          await audit.auditCurrent();
          audit.playwrightNavigations++;
          try {
            return await navigate(...args);
          } finally {
            audit.playwrightNavigations--;
          }
        },
      });
    }
    return audit;
  }

  /** Waits for the audit of the document on screen (before a timing-sensitive check). */
  async settled(): Promise<void> {
    await this.auditCurrent();
  }

  /** Waits for the last audit, then throws if any audit since the previous check failed. */
  async check(): Promise<void> {
    await this.auditCurrent();
    const failures = this.failures;
    this.failures = [];
    if (failures.length > 0) {
      throw new Error(
        `Accessibility audit (axe-core, ${WCAG_TAGS.join(', ')}), ${failures.length} failure(s):\n\n${failures.join('\n\n')}`,
      );
    }
  }

  /** Holds a navigation away until the page being left has been audited. */
  private async auditBeforeLeaving(): Promise<void> {
    const document = this.document;
    if (document && !document.audit && this.playwrightNavigations > 0) {
      // A page.goto overtook a navigation the page had started (a form still being answered):
      // the new document came in after goto's own wait, and cannot be evaluated any more.
      document.audit = Promise.resolve();
      this.failures.push(
        `${document.path}: not audited: page.goto left it before it had loaded (wait for the navigation the previous step started, e.g. page.waitForEvent('load'))`,
      );
    }
    await this.auditCurrent();
  }

  /** Audits the document on screen once it has loaded (or, loading still, after a grace period). */
  private async auditCurrent(): Promise<void> {
    const document = this.document;
    if (!document) return;
    if (!document.audit) await Promise.race([document.loaded, pause(LOAD_GRACE_MS)]);
    this.start(document);
    await document.audit;
  }

  private start(document: LoadedDocument): void {
    document.audit ??= this.audit(document).catch((error: Error) => {
      this.failures.push(`${document.path}: the audit could not run: ${error.message}`);
    });
  }

  private async audit(document: LoadedDocument): Promise<void> {
    if ((await this.evaluate(`typeof window.axe`)) === 'undefined') {
      await this.evaluate(`${axe.source}\n;'injected'`);
    }
    const { title, signedIn, findings } = JSON.parse(await this.evaluate(RUN_AXE)) as {
      title: string;
      signedIn: boolean;
      findings: Finding[];
    };
    this.audited.push({ path: document.path, title, signedIn });
    for (const finding of findings) {
      const text = describeFinding(document.path, finding);
      if (FAILING_IMPACTS.has(finding.impact ?? '')) this.failures.push(text);
      else this.minor.push(text);
    }
  }

  /**
   * A script in the page's main world through the DevTools protocol: outside the page's CSP, and
   * not waiting, as Playwright's evaluate can, for the next document while a navigation is held.
   */
  private async evaluate(expression: string): Promise<string> {
    const evaluation = this.devtools.send('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    const timeout = pause(AUDIT_TIMEOUT_MS).then(() => {
      throw new Error(`no answer from the page within ${AUDIT_TIMEOUT_MS} ms`);
    });
    const { result, exceptionDetails } = await Promise.race([evaluation, timeout]);
    if (exceptionDetails) {
      throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    }
    return String(result.value);
  }
}

function describeFinding(path: string, finding: Finding): string {
  const elements = finding.nodes
    .map((node) => `  - ${node.target}\n    ${node.html}\n    ${node.failureSummary}`)
    .join('\n');
  return `${path}: ${finding.id} (${finding.impact}): ${finding.help}\n  ${finding.helpUrl}\n${elements}`;
}
