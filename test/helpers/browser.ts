import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './server.ts';

/**
 * A real browser for the console's tests: Debian's Chromium driven by playwright-core (never a
 * downloaded one; .ci/run installs the package when it is missing), screenshots as test artefacts,
 * and axe-core run inside the page.
 */

export const CHROMIUM = '/usr/bin/chromium';

/** Where the screenshots go (gitignored): one PNG per page a test looked at. */
export const SHOTS = path.join(REPO_ROOT, 'test-results', 'console');

export async function launchBrowser(): Promise<Browser> {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`,
  );
  return chromium.launch({ executablePath: CHROMIUM });
}

/** The whole page as `test-results/console/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown; failureSummary?: string }[];
}

/**
 * axe-core run in the page as it is now: asserts no violation of impact serious or critical.
 * Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axe.source);
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as {
    violations: AxeViolation[];
  };
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`),
    [],
    `accessibility of ${label}`,
  );
}

/** A screenshot and the accessibility check of the page as it is now. */
export async function look(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await expectAccessible(page, name);
}
