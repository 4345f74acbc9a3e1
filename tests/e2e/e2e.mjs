// Browser tests for ningju: playwright-core drives Debian's chromium (headless), axe-core checks accessibility.
//
//   node tests/e2e/e2e.mjs http://127.0.0.1:PORT
//
// Expects a server on a demo database (`ningju demo --scale small`); tests/e2e/run.sh sets one up. Tests run one
// after another, each in a fresh browser context. Prints one line per test and, as the last line,
// "e2e: N passed, M failed"; exits non-zero when any test failed. A failing test leaves a screenshot under
// $TMPDIR/ningju-e2e/.
//
// Environment: NINGJU_CHROMIUM (default /usr/bin/chromium), E2E_ONLY (run only tests whose name contains it),
// E2E_VERBOSE=1 (also list minor and moderate axe findings).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

const BASE = (process.argv[2] || process.env.NINGJU_E2E_URL || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(BASE)) {
  console.error('usage: node e2e.mjs http://127.0.0.1:PORT');
  console.log('e2e: 0 passed, 1 failed');
  process.exit(2);
}

const DEMO_PASSWORD = 'ningju-demo-2026';
const RESIDENT = 'nb-huayang';
const ADMIN = 'admin';
const SUBDISTRICT = '华阳路街道';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SHOT_DIR = path.join(process.env.TMPDIR || os.tmpdir(), 'ningju-e2e');
const VERBOSE = process.env.E2E_VERBOSE === '1';

const LAUNCH = {
  executablePath: process.env.NINGJU_CHROMIUM || '/usr/bin/chromium',
  // Without the background-networking flags Chromium reaches for Google services, which this network refuses.
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const url = (p) => BASE + p;
const pathOf = (page) => new URL(page.url()).pathname;

// Signs in through the form at /sign-in (zh-CN labels) and waits to land on `landing`.
async function signIn(page, login, password, landing = '/') {
  await page.goto(url('/sign-in'));
  const form = page.locator('main form');
  await form.getByLabel('手机号或用户名', { exact: true }).fill(login);
  await form.getByLabel('密码', { exact: true }).fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === landing),
    form.getByRole('button', { name: '登录' }).click(),
  ]);
}

// Clicks a link and waits for the page it leads to.
async function follow(page, link) {
  await link.waitFor();
  const before = page.url();
  await Promise.all([page.waitForURL((u) => u.href !== before), link.click()]);
  await page.waitForLoadState('load');
}

// The area cards of an area page ("ul.cards" under main), as locators of their links.
const cards = (page) => page.locator('main ul.cards > li > a');

// The path /areas/<id> -> id.
function areaId(page) {
  const m = /^\/areas\/(\d+)$/.exec(pathOf(page));
  assert.ok(m, `expected an area page /areas/<id>, at ${page.url()}`);
  return Number(m[1]);
}

// The ids of one branch of the tree, found by following links the way a visitor does: the district, 华阳路街道,
// its first neighborhood and that neighborhood's first building. Computed once.
let tree = null;
let treeError = null;
async function discoverTree(browser) {
  if (tree) return tree;
  if (treeError) throw new Error(`the tree could not be walked earlier: ${treeError}`);
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
  context.setDefaultTimeout(15000);
  try {
    const page = await context.newPage();
    await page.goto(url('/'));
    await follow(page, page.locator('main').getByRole('link', { name: '浏览社区' }));
    const district = areaId(page);
    await follow(page, cards(page).filter({ hasText: SUBDISTRICT }).first());
    const subdistrict = areaId(page);
    await follow(page, cards(page).first());
    const neighborhood = areaId(page);
    await follow(page, cards(page).first());
    const building = areaId(page);
    tree = { district, subdistrict, neighborhood, building };
    return tree;
  } catch (e) {
    treeError = `${e.message.split('\n')[0]} (walking from / at ${context.pages()[0]?.url()})`;
    throw e;
  } finally {
    await context.close();
  }
}

// Runs axe-core on the current page; returns the serious and critical violations as lines of text.
async function axeProblems(page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE_PATH });
  }
  const results = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ impact: n.impact, target: n.target.map(String).join(' '), summary: n.failureSummary })),
    }));
  });
  const problems = [];
  for (const v of results) {
    const bad = v.impact === 'serious' || v.impact === 'critical';
    if (!bad && !VERBOSE) continue;
    for (const n of v.nodes) {
      const line = `${label}: ${v.id} (${n.impact || v.impact}) ${n.target} — ${v.help}`;
      if (bad) problems.push(line);
      else console.log(`  note ${line}`);
    }
  }
  return problems;
}

// Whether the page scrolls sideways at the current viewport; returns a description of the widest elements if so.
async function overflowProblem(page, label) {
  const r = await page.evaluate(() => {
    const width = window.innerWidth;
    const scroll = document.documentElement.scrollWidth;
    const wide = [];
    if (scroll > width) {
      for (const el of document.body.querySelectorAll('*')) {
        const rect = el.getBoundingClientRect();
        if (rect.right > width + 0.5) {
          const id = el.id ? `#${el.id}` : '';
          const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
          wide.push(`${el.tagName.toLowerCase()}${id}${cls} (right ${Math.round(rect.right)})`);
        }
      }
    }
    return { width, scroll, wide: wide.slice(0, 5) };
  });
  if (r.scroll <= r.width) return null;
  return `${label}: scrollWidth ${r.scroll} > innerWidth ${r.width}; wide: ${r.wide.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Tests

const tests = [];
const test = (name, fn, options = {}) => tests.push({ name, fn, options });

test('sign in as nb-huayang and walk the tree to a building and its door sheet', async ({ page }) => {
  await signIn(page, RESIDENT, DEMO_PASSWORD, '/');
  assert.equal(pathOf(page), '/');
  await page.getByRole('link', { name: '我的账户' }).waitFor();  // signed in: the header offers the account

  await follow(page, page.locator('main').getByRole('link', { name: '浏览社区' }));
  const district = areaId(page);

  await follow(page, cards(page).filter({ hasText: SUBDISTRICT }).first());
  const subdistrict = areaId(page);
  assert.match(await page.locator('main h1').innerText(), new RegExp(SUBDISTRICT));

  const firstNeighborhood = cards(page).first();
  const neighborhoodName = (await firstNeighborhood.locator('.name').innerText()).trim();
  await follow(page, firstNeighborhood);
  const neighborhood = areaId(page);
  assert.match(await page.locator('main h1').innerText(), new RegExp(neighborhoodName));

  const firstBuilding = cards(page).first();
  const buildingName = (await firstBuilding.locator('.name').innerText()).trim();
  assert.equal(buildingName, '1号楼', 'the first building card of a neighborhood is 1号楼');
  await follow(page, firstBuilding);
  const building = areaId(page);
  assert.match(await page.locator('main h1').innerText(), /1号楼/);
  tree = { district, subdistrict, neighborhood, building };

  await follow(page, page.locator('main').getByRole('link', { name: '楼门口二维码' }));
  assert.equal(pathOf(page), `/areas/${building}/door-sheet`);
  const qr = page.locator('main .qr svg');
  await qr.waitFor();
  const box = await qr.boundingBox();
  assert.ok(box && box.width >= 100 && box.height >= 100, `the QR code is drawn large enough (${JSON.stringify(box)})`);
  assert.ok((await qr.locator('rect, path').count()) > 0, 'the QR svg has modules');
  const sheetUrl = (await page.locator('main figcaption code').innerText()).trim();
  assert.match(sheetUrl, new RegExp(`/buildings/${building}$`), 'the door sheet names the building URL');
  assert.match(await page.locator('main h1').innerText(), /1号楼/);

  // The print button calls window.print (stubbed here).
  await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
  await page.locator('main').getByRole('button', { name: '打印' }).click();
  assert.equal(await page.evaluate(() => window.__printed), 1, 'the print button prints');

  // The URL printed on the sheet leads to the building's page (on this server).
  const target = url(new URL(sheetUrl).pathname);
  const response = await page.goto(target);
  assert.equal(response.status(), 200, `GET ${target}`);
  assert.match(await page.locator('main h1').innerText(), /1号楼/);
  assert.ok(await page.locator('main').getByRole('link', { name: '楼门口二维码' }).count(), 'the building page');
});

test('language switch: English in the header turns the UI to English and back', async ({ page }) => {
  await page.goto(url('/'));
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'zh-CN is the default language');
  const header = page.locator('header');
  await Promise.all([page.waitForURL(url('/')), header.getByRole('button', { name: 'English' }).click()]);
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await header.getByRole('navigation').getByRole('link', { name: 'Areas', exact: true }).waitFor();

  // The choice is kept on the next page, and the switch back works.
  await page.goto(url('/sign-in'));
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.locator('main form').getByLabel('Mobile number or username').waitFor();
  await Promise.all([page.waitForURL(url('/sign-in')), header.getByRole('button', { name: '中文' }).click()]);
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await header.getByRole('navigation').getByRole('link', { name: '社区', exact: true }).waitFor();
});

test('Accept-Language: a browser asking for English gets English, one asking for nothing gets zh-CN', async ({ browser }) => {
  for (const [locale, expected] of [['en-US', 'en'], ['zh-CN', 'zh-CN']]) {
    const context = await browser.newContext({ locale });
    try {
      const page = await context.newPage();
      await page.goto(url('/'));
      assert.equal(await page.getAttribute('html', 'lang'), expected, `Accept-Language ${locale}`);
    } finally {
      await context.close();
    }
  }
  const response = await fetch(url('/'), { headers: { 'Accept-Language': '' } });
  const html = await response.text();
  assert.match(html, /<html lang="zh-CN">/, 'no Accept-Language: zh-CN');
});

test('a wrong password shows an alert and opens no session', async ({ page, context }) => {
  await page.goto(url('/sign-in'));
  const form = page.locator('main form');
  await form.getByLabel('手机号或用户名', { exact: true }).fill(RESIDENT);
  await form.getByLabel('密码', { exact: true }).fill('not-the-password');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in'),
    form.getByRole('button', { name: '登录' }).click(),
  ]);
  assert.ok(response.status() >= 400 && response.status() < 500, `POST /sign-in answered ${response.status()}`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.ok((await alert.innerText()).trim().length > 0, 'the alert says something');
  assert.equal(pathOf(page), '/sign-in');
  assert.equal(await form.getByLabel('手机号或用户名', { exact: true }).inputValue(), RESIDENT, 'the login is kept');
  assert.equal(await form.getByLabel('密码', { exact: true }).inputValue(), '', 'the password is not echoed');

  const cookies = await context.cookies(BASE);
  assert.ok(!cookies.some((c) => c.name === 'nj_session' && c.value), `no session cookie (${cookies.map((c) => c.name)})`);
  await page.goto(url('/account'));
  assert.equal(pathOf(page), '/sign-in', 'the account page sends an anonymous visitor to sign in');
  assert.equal(await page.getByRole('link', { name: '我的账户' }).count(), 0, 'the header offers no account');
});

test('keyboard: the first Tab reaches the skip link, which moves focus to the main content', async ({ page }) => {
  await page.goto(url('/sign-in'));
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({ tag: document.activeElement.tagName, href: document.activeElement.getAttribute('href') }));
  assert.deepEqual(focused, { tag: 'A', href: '#main' });
  assert.ok(await page.locator('a.skip').isVisible(), 'the focused skip link is visible');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
});

// Guards the checks below: axe-core, injected as they inject it, must flag a page with known faults.
test('axe self-check: a page with known faults is flagged', async ({ page }) => {
  await page.setContent('<html><body><img src="data:,"><p style="color:#ccc;background:#fff">faint</p><input></body></html>');
  const problems = await axeProblems(page, 'self-check');
  for (const rule of ['image-alt', 'color-contrast', 'label', 'html-has-lang']) {
    assert.ok(problems.some((l) => l.includes(`: ${rule} (`)), `axe reports ${rule}; got ${problems.join('; ')}`);
  }
}, { bypassCSP: true });

// Accessibility and phone layout, one test per page. `as` signs in first.
const a11yPages = [
  { name: 'home', path: () => '/' },
  { name: 'sign in', path: () => '/sign-in' },
  { name: 'sign up', path: () => '/sign-up' },
  { name: 'district', path: (t) => `/areas/${t.district}` },
  { name: 'subdistrict', path: (t) => `/areas/${t.subdistrict}` },
  { name: 'neighborhood', path: (t) => `/areas/${t.neighborhood}` },
  { name: 'building', path: (t) => `/areas/${t.building}` },
  { name: 'building (QR address)', path: (t) => `/buildings/${t.building}` },
  { name: 'door sheet', path: (t) => `/areas/${t.building}/door-sheet` },
  { name: 'account', path: () => '/account', as: RESIDENT },
  { name: 'roles admin', path: () => '/admin/roles', as: ADMIN },
  { name: 'sign-in error', path: () => '/sign-in', wrongPassword: true },
  { name: 'home (English)', path: () => '/', english: true },
];

for (const p of a11yPages) {
  test(`accessibility and phone layout: ${p.name}`, async ({ page, browser, context }) => {
    const t = await discoverTree(browser);
    const target = p.path(t);
    if (p.as) await signIn(page, p.as, DEMO_PASSWORD, '/');
    if (p.english) {
      await context.addCookies([{ name: 'nj_lang', value: 'en', url: BASE }]);
    }
    const problems = [];
    for (const [viewName, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      await page.setViewportSize(viewport);
      const response = await page.goto(url(target));
      assert.equal(response.status(), 200, `GET ${target}`);
      assert.equal(pathOf(page), target, `GET ${target} stays on the page (signed in as needed)`);
      if (p.english) {
        // The language cookie's name is the product's; fall back to the header switch when it differs.
        if ((await page.getAttribute('html', 'lang')) !== 'en') {
          await Promise.all([page.waitForURL(url(target)), page.locator('header').getByRole('button', { name: 'English' }).click()]);
          await page.waitForFunction(() => document.documentElement.lang === 'en');
        }
      }
      if (p.wrongPassword) {
        const form = page.locator('main form');
        await form.getByLabel('手机号或用户名', { exact: true }).fill('nobody-here');
        await form.getByLabel('密码', { exact: true }).fill('wrong-password');
        await Promise.all([page.waitForLoadState('load'), form.getByRole('button', { name: '登录' }).click()]);
        await page.getByRole('alert').waitFor();
      }
      const seen = new Set(problems);
      for (const line of await axeProblems(page, `${target} [${viewName}]`)) {
        const key = line.replace(/ \[(desktop|phone)\]/, '');
        if (![...seen].some((s) => s.replace(/ \[(desktop|phone)\]/, '') === key)) problems.push(line);
      }
      if (viewName === 'phone') {
        const overflow = await overflowProblem(page, `${target} [phone 390x844]`);
        if (overflow) problems.push(`horizontal overflow: ${overflow}`);
      }
    }
    assert.ok(problems.length === 0, `${problems.length} problem(s):\n    ${problems.join('\n    ')}`);
  }, { bypassCSP: true });
}

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
    browser = await chromium.launch(LAUNCH);
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
