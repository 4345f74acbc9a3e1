// Browser tests for ningju: playwright-core drives Debian's chromium (headless), axe-core checks accessibility.
//
//   node tests/e2e/e2e.mjs http://127.0.0.1:PORT
//
// Expects a server on a demo database (`ningju demo --scale small`); tests/e2e/run.sh sets one up. The tests are
// the test() calls of every tests/e2e/*.test.mjs (foundation first, then by name, layout last: its sweep opens again
// every page the tests before it visited; tests/e2e/lib.mjs holds what they share); they run one after another, each
// in a fresh browser context. Prints one line per test and, as the last line, "e2e: N passed, M failed"; exits
// non-zero when any test failed. A failing test leaves a screenshot under $TMPDIR/ningju-e2e/.
//
// Environment: NINGJU_CHROMIUM (default /usr/bin/chromium), E2E_ONLY (run only tests whose name contains it; the
// layout sweep, when selected, opens again what those visited), E2E_VERBOSE=1 (also list minor and moderate axe
// findings).

import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DESKTOP, LAUNCH, SHOT_DIR, recordVisits, tests } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIRST = 'foundation.test.mjs';
const LAST = 'layout.test.mjs';
const rank = (f) => (f === FIRST ? 0 : f === LAST ? 2 : 1);
const files = readdirSync(HERE).filter((f) => f.endsWith('.test.mjs'))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
for (const f of files) await import(path.join(HERE, f));

// ---------------------------------------------------------------------------------------------------------------
// Runner

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

async function main() {
  const only = process.env.E2E_ONLY;
  const selected = only ? tests.filter((t) => t.name.includes(only)) : tests;
  let passed = 0;
  let failed = 0;
  let browser;
  try {
    // The tests get the browser wrapped: every page opened in any of their contexts is noted for the layout sweep.
    browser = recordVisits(await chromium.launch(LAUNCH));
  } catch (e) {
    console.log(`FAIL launch chromium: ${e.message.split('\n')[0]}`);
    console.log(`e2e: 0 passed, ${selected.length || 1} failed`);
    process.exit(1);
  }
  for (const t of selected) {
    const started = Date.now();
    // The site's Content-Security-Policy (script-src 'self') rightly refuses the injected axe-core script; the
    // accessibility tests alone bypass it.
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', bypassCSP: !!t.options.bypassCSP });
    context.setDefaultTimeout(15000);
    context.setDefaultNavigationTimeout(20000);
    const page = await context.newPage();
    // Scripts that throw, and static files or other subresources that fail, fail the test.
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(`script error: ${e.message}`));
    page.on('response', (r) => {
      if (r.request().resourceType() !== 'document' && r.status() >= 400) {
        pageErrors.push(`${r.status()} for ${r.request().resourceType()} ${r.url()}`);
      }
    });
    page.on('requestfailed', (r) => {
      // ERR_ABORTED: a fetch cut short by the test's next navigation, not a failure of the site.
      const why = r.failure()?.errorText || '';
      if (r.resourceType() !== 'document' && !why.includes('ERR_ABORTED')) pageErrors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    });
    try {
      await t.fn({ page, context, browser });
      assert.deepEqual(pageErrors, [], 'no script errors and no failed subresources');
      passed += 1;
      console.log(`ok   ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed += 1;
      let shot = '';
      try {
        mkdirSync(SHOT_DIR, { recursive: true });
        shot = path.join(SHOT_DIR, `${slug(t.name)}.png`);
        await page.screenshot({ path: shot, fullPage: true });
      } catch {
        shot = '';
      }
      const message = (e && e.message ? e.message : String(e)).replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.trim()).slice(0, 40);
      console.log(`FAIL ${t.name} (${Date.now() - started} ms)`);
      for (const line of message) console.log(`    ${line}`);
      if (pageErrors.length) console.log(`    also: ${pageErrors.join('; ')}`);
      console.log(`    at ${page.url()}${shot ? `; screenshot ${shot}` : ''}`);
    } finally {
      await context.close().catch(() => {});
    }
  }
  await browser.close().catch(() => {});
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || selected.length === 0 ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL runner: ${e && e.stack ? e.stack : e}`);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
});
