// What the browser tests share: the server under test, the demo accounts, navigation helpers, accessibility
// and phone-layout checks, the layout sweep over every page the suite visits, and the test registry. Each tests/e2e/<module>.test.mjs imports it and calls test().

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

// Text squeezed into a column so narrow that it stands one character per line: every element whose own text (its
// text nodes, not its children's) has at least 3 non-space characters, laid out in 3 or more line boxes each
// narrower than 1.5 times its font size (a line of one CJK character is 1 em wide, of two 2 em). Measured on the
// rendered boxes (a Range over the text nodes, getClientRects); visually hidden text (clipped) is left out. Returns
// one line of text per element found.
export async function wrappedTextProblems(page, label) {
  const found = await page.evaluate(() => {
    const out = [];
    const clippedCache = new Map();
    const clipped = (el) => {
      if (!el || el === document.body) return false;
      if (clippedCache.has(el)) return clippedCache.get(el);
      const cs = getComputedStyle(el);
      const r = (cs.clip !== 'auto' && cs.position === 'absolute') || (cs.clipPath !== 'none' && cs.clipPath !== '') ||
        clipped(el.parentElement);
      clippedCache.set(el, r);
      return r;
    };
    const name = (el) => {
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}`;
    };
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('script, style, noscript, template, svg')) continue;
      const nodes = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.data.trim());
      const text = nodes.map((n) => n.data).join('');
      if (text.replace(/\s+/g, '').length < 3) continue;
      if (typeof el.checkVisibility === 'function' && !el.checkVisibility({ visibilityProperty: true })) continue;
      if (clipped(el)) continue;
      const lines = [];
      for (const node of nodes) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) {
          if (r.width < 0.5 || r.height < 0.5) continue;
          const line = lines.find((l) => r.top < l.bottom - 1 && r.bottom > l.top + 1);
          if (line) {
            line.left = Math.min(line.left, r.left); line.right = Math.max(line.right, r.right);
            line.top = Math.min(line.top, r.top); line.bottom = Math.max(line.bottom, r.bottom);
          } else {
            lines.push({ left: r.left, right: r.right, top: r.top, bottom: r.bottom });
          }
        }
      }
      const em = parseFloat(getComputedStyle(el).fontSize) || 16;
      if (lines.length >= 3 && lines.every((l) => l.right - l.left < 1.5 * em)) {
        const widest = Math.max(...lines.map((l) => l.right - l.left));
        const parent = el.parentElement ? ` in ${name(el.parentElement)}` : '';
        out.push(`${name(el)}${parent} "${text.trim().replace(/\s+/g, ' ').slice(0, 24)}": ${lines.length} lines, ` +
          `none wider than ${Math.round(widest)} px (font ${Math.round(em)} px)`);
      }
    }
    return out;
  });
  return found.map((line) => `${label}: text one character per line: ${line}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The layout sweep: the runner hands every test a browser wrapped by recordVisits(), which notes each page a test
// opens in any of its browser contexts (a main-frame GET on this server answered 2xx, after redirects), with the
// cookies the browser sent for it and the login signed in at the time. layoutSweep() opens those pages again at
// phone widths. Responses that are not HTML (downloads, images) are not noted.

const SESSION_COOKIE = 'nj_session';
const visits = [];
const noting = new Set();
let recording = true;

// Notes the pages of one browser context; its close() first waits for what is still being noted.
function watchContext(context, options) {
  const pending = new Set();
  const state = { login: null, locale: options.locale || '' };
  const origin = new URL(BASE).origin;
  const onResponse = (page) => (response) => {
    if (!recording) return;
    const request = response.request();
    let frame;
    try {
      frame = request.frame();
    } catch {
      return;  // a service worker's request
    }
    if (frame !== page.mainFrame() || request.resourceType() !== 'document') return;
    const target = new URL(response.url());
    if (target.origin !== origin) return;
    const status = response.status();
    if (request.method() === 'POST') {
      // Who is signed in: a sign-in or sign-up that succeeded (it redirects), a sign-out.
      if ((target.pathname === '/sign-in' || target.pathname === '/sign-up') && status < 400) {
        const login = new URLSearchParams(request.postData() || '').get('login');
        if (login) state.login = login;
      } else if (target.pathname === '/sign-out') {
        state.login = null;
      }
      return;
    }
    if (request.method() !== 'GET' || status < 200 || status >= 300) return;
    if (!/^text\/html\b/i.test(response.headers()['content-type'] || '')) return;
    const visit = { path: target.pathname + target.search, login: state.login, locale: state.locale, cookies: null };
    visits.push(visit);
    // The cookies the browser sent with this very request: the state the page was seen in.
    const noted = request.headerValue('cookie').then((header) => {
      visit.cookies = (header || '').split(/;\s*/).filter(Boolean).map((pair) => {
        const at = pair.indexOf('=');
        return { name: pair.slice(0, at), value: pair.slice(at + 1) };
      });
    }).catch(() => {}).finally(() => { pending.delete(noted); noting.delete(noted); });
    pending.add(noted);
    noting.add(noted);
  };
  const watchPage = (page) => page.on('response', onResponse(page));
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  const close = context.close.bind(context);
  context.close = async (...args) => {
    await Promise.allSettled([...pending]);
    return close(...args);
  };
  return context;
}

// The browser the tests get: as `browser`, but every context it opens has its pages noted for the sweep.
export function recordVisits(browser) {
  return new Proxy(browser, {
    get(target, prop) {
      if (prop === 'newContext') {
        return async (options = {}) => {
          const context = await target.newContext(options);
          return recording ? watchContext(context, options) : context;
        };
      }
      if (prop === 'newPage') {
        return async (options = {}) => {
          const page = await target.newPage(options);
          if (recording) watchContext(page.context(), options);
          return page;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// Paths never opened again: downloads and files (also refused by the content type above), the API.
const NOT_PAGES = /(\.(xlsx|ics|csv|pdf|png|jpe?g|svg|json)(\?|$))|\/attachments\/|^\/api\/|^\/static\/|^\/healthz/;

// The distinct pages noted: (path with query, login, language cookie, Accept-Language), each with the cookies of
// its last visit. At most `cap`: first every path once (in the order first visited), then the same paths under
// other logins or languages. Returns { pages, distinct } (distinct: how many before the cap).
export function visitedPages(cap = 120) {
  const byKey = new Map();
  visits.forEach((v, order) => {
    if (!v.cookies || NOT_PAGES.test(v.path)) return;
    const session = v.cookies.some((c) => c.name === SESSION_COOKIE && c.value);
    const login = session ? v.login || 'signed-in' : 'anonymous';
    const lang = v.cookies.find((c) => c.name === 'nj_lang')?.value || '';
    const key = JSON.stringify([v.path, login, lang, v.locale]);
    const first = byKey.get(key)?.first ?? order;
    byKey.set(key, { path: v.path, login, knownLogin: session && !!v.login, lang, locale: v.locale, cookies: v.cookies, first });
  });
  const all = [...byKey.values()].sort((a, b) => a.first - b.first);
  const paths = new Set();
  const firsts = [];
  const others = [];
  for (const v of all) {
    (paths.has(v.path) ? others : firsts).push(v);
    paths.add(v.path);
  }
  const chosen = [...firsts, ...others];
  return { pages: chosen.slice(0, cap), distinct: chosen.length };
}

export const SWEEP_VIEWPORTS = [{ width: 360, height: 780 }, { width: 390, height: 844 }];

// Opens every noted page again at each of SWEEP_VIEWPORTS, in a new context with the cookies it was visited with
// (signing in again with the demo password when that session has ended since, e.g. by a sign-out later in the
// suite), and checks it: no sideways scroll, no text one character per line, no serious or critical axe finding.
// Stops the noting. Returns { checked, distinct, problems, skipped }: checked the pages opened again, problems and
// skipped as lines of text naming the page, the login and the width; skipped the pages that no longer answer as they
// did (gone, now redirecting elsewhere).
export async function layoutSweep(browser, cap = 120) {
  recording = false;
  await Promise.allSettled([...noting]);
  const { pages, distinct } = visitedPages(cap);
  const problems = [];
  const skipped = [];
  const contexts = new Map();
  const checked = [];
  try {
    for (const v of pages) {
      const who = v.login + (v.lang ? `, nj_lang=${v.lang}` : '') + (v.locale && v.locale !== 'zh-CN' ? `, ${v.locale}` : '');
      const key = JSON.stringify([v.cookies, v.locale]);
      let entry = contexts.get(key);
      if (!entry) {
        const context = await browser.newContext({ viewport: SWEEP_VIEWPORTS[0], locale: v.locale || 'zh-CN', bypassCSP: true });
        context.setDefaultTimeout(15000);
        context.setDefaultNavigationTimeout(20000);
        if (v.cookies.length) await context.addCookies(v.cookies.map((c) => ({ ...c, url: BASE })));
        entry = { context, page: await context.newPage(), error: null };
        contexts.set(key, entry);
        if (v.login !== 'anonymous') {
          const signedIn = async () => (await entry.page.request.get(url('/api/v1/me'))).ok();
          if (!(await signedIn())) {
            if (!v.knownLogin) {
              entry.error = 'the session has ended and the login is not known';
            } else {
              try {
                await signIn(entry.page, v.login, DEMO_PASSWORD, '/');
                if (!(await signedIn())) entry.error = `signed in again as ${v.login}, yet /api/v1/me refuses`;
              } catch (e) {
                entry.error = `the session has ended; signing in again as ${v.login} failed: ${e.message.split('\n')[0]}`;
              }
            }
          }
        }
      }
      if (entry.error) {
        skipped.push(`${v.path} [${who}]: ${entry.error}`);
        continue;
      }
      const { page } = entry;
      await page.setViewportSize(SWEEP_VIEWPORTS[0]);
      const response = await page.goto(url(v.path)).catch((e) => e);
      if (response instanceof Error || !response) {
        skipped.push(`${v.path} [${who}]: ${response ? response.message.split('\n')[0] : 'no response'}`);
        continue;
      }
      const now = new URL(page.url());
      const type = response.headers()['content-type'] || '';
      if (response.status() >= 300 || !/^text\/html\b/i.test(type) || now.pathname + now.search !== v.path) {
        skipped.push(`${v.path} [${who}]: now ${response.status()} ${type.split(';')[0]} at ${now.pathname}${now.search}`);
        continue;
      }
      checked.push(`${v.path} [${who}]`);
      for (const viewport of SWEEP_VIEWPORTS) {
        await page.setViewportSize(viewport);
        const label = `${v.path} [${who}, ${viewport.width}px]`;
        const overflow = await overflowProblem(page, label);
        if (overflow) problems.push(`horizontal overflow: ${overflow}`);
        problems.push(...await wrappedTextProblems(page, label));
        problems.push(...await axeProblems(page, label));
      }
    }
  } finally {
    for (const { context } of contexts.values()) await context.close().catch(() => {});
  }
  return { checked, distinct, problems, skipped };
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
