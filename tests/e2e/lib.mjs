// What the browser tests share: the server under test, the demo accounts, navigation helpers, accessibility
// and phone-layout checks, and the test registry. Each tests/e2e/<module>.test.mjs imports it and calls test().

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

export const BASE = (process.argv[2] || process.env.NINGJU_E2E_URL || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(BASE)) {
  console.error('usage: node e2e.mjs http://127.0.0.1:PORT');
  console.log('e2e: 0 passed, 1 failed');
  process.exit(2);
}

export const DEMO_PASSWORD = 'ningju-demo-2026';
export const RESIDENT = 'nb-huayang';
export const ADMIN = 'admin';
export const SUBDISTRICT = '华阳路街道';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const SHOT_DIR = path.join(process.env.TMPDIR || os.tmpdir(), 'ningju-e2e');
export const VERBOSE = process.env.E2E_VERBOSE === '1';

export const LAUNCH = {
  executablePath: process.env.NINGJU_CHROMIUM || '/usr/bin/chromium',
  // Without the background-networking flags Chromium reaches for Google services, which this network refuses.
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

// ---------------------------------------------------------------------------------------------------------------
// Helpers

export const url = (p) => BASE + p;
export const pathOf = (page) => new URL(page.url()).pathname;

// Signs in through the form at /sign-in (zh-CN labels) and waits to land on `landing`.
export async function signIn(page, login, password, landing = '/') {
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
export async function follow(page, link) {
  await link.waitFor();
  const before = page.url();
  await Promise.all([page.waitForURL((u) => u.href !== before), link.click()]);
  await page.waitForLoadState('load');
}

// The area cards of an area page ("ul.cards" under main), as locators of their links.
export const cards = (page) => page.locator('main ul.cards > li > a');

// The path /areas/<id> -> id.
export function areaId(page) {
  const m = /^\/areas\/(\d+)$/.exec(pathOf(page));
  assert.ok(m, `expected an area page /areas/<id>, at ${page.url()}`);
  return Number(m[1]);
}

// The ids of one branch of the tree, found by following links the way a visitor does: the district, 华阳路街道,
// its first neighborhood and that neighborhood's first building. Computed once.
let tree = null;
let treeError = null;
// Remembers the ids a test found walking the tree, so discoverTree() need not walk it again.
export function rememberTree(t) {
  tree = t;
}
export async function discoverTree(browser) {
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
export async function axeProblems(page, label) {
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
export async function overflowProblem(page, label) {
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
// Registry

export const tests = [];
// Registers a browser test: fn({ page, context, browser }); options.bypassCSP for tests that inject axe-core.
export const test = (name, fn, options = {}) => tests.push({ name, fn, options });

// ---------------------------------------------------------------------------------------------------------------
// The test mail server (run.sh starts Debian's aiosmtpd on loopback and points the server at it): its Maildir, the
// messages decoded (RFC 2047 subject, base64 body).

export const MAILDIR = process.env.E2E_MAILDIR || '';

function decodeWords(header) {
  return header.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b64) => Buffer.from(b64, 'base64').toString('utf8')).trim();
}

// Every message received so far for `to` ({ to, subject, body }), oldest first.
export function mailsTo(to) {
  if (!MAILDIR) throw new Error('E2E_MAILDIR is not set: run the tests through tests/e2e/run.sh');
  const out = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(MAILDIR, sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      const raw = readFileSync(path.join(dir, f), 'utf8').replace(/\r/g, '');
      const split = raw.indexOf('\n\n');
      const head = raw.slice(0, split).replace(/\n[ \t]+/g, ' ');
      const field = (name) => (head.match(new RegExp(`^${name}:\\s*(.*)$`, 'mi')) || [])[1] || '';
      const base64 = /base64/i.test(field('Content-Transfer-Encoding'));
      const text = raw.slice(split + 2);
      const mail = { to: field('To'), subject: decodeWords(field('Subject')),
                     body: base64 ? Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8') : text };
      if (mail.to.includes(to)) out.push(mail);
    }
  }
  return out;
}

// Waits (polling, up to `seconds`) for a message to `to` whose subject matches `pattern`.
export async function waitForMail(page, to, pattern, seconds = 30) {
  for (let i = 0; i < seconds * 2; i++) {
    const found = mailsTo(to).filter((m) => pattern.test(m.subject));
    if (found.length) return found[found.length - 1];
    await page.waitForTimeout(500);
  }
  throw new Error(`no email to ${to} with a subject matching ${pattern} within ${seconds} s`);
}
