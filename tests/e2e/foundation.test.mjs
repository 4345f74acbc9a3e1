// The foundation's browser tests: signing in, walking the area tree, languages, keyboard, and accessibility with
// the phone layout of every foundation page.

import assert from 'node:assert/strict';
import { ADMIN, BASE, DEMO_PASSWORD, DESKTOP, PHONE, RESIDENT, SUBDISTRICT, areaId, axeProblems, cards, discoverTree,
  follow, overflowProblem, pathOf, rememberTree, signIn, test, url } from './lib.mjs';

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
  rememberTree({ district, subdistrict, neighborhood, building });

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
  { name: 'phone (a username account)', path: () => '/account/phone', as: RESIDENT },
  { name: 'roles admin', path: () => '/admin/roles', as: ADMIN },
  { name: 'holidays admin', path: () => '/admin/holidays', as: ADMIN },
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

// The account page with its token list (created through the form, as a user would): no sideways scroll at phone
// width, no serious accessibility fault; the token is shown once, listed, and revoked through its button.
test('account tokens at phone width', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, RESIDENT, DEMO_PASSWORD, '/');
  await page.goto(url('/account'));
  const form = page.locator('form[action="/account/tokens"]');
  await form.locator('#token_name').fill('手机上的记账工具 phone app');
  await form.locator('#token_scope').selectOption('read');
  await Promise.all([page.waitForLoadState('load'), form.getByRole('button').click()]);
  const shown = page.locator('p.notice code');
  assert.match(await shown.innerText(), /^\S{20,}$/, 'the new token is shown once');
  const row = page.locator('tr', { hasText: '手机上的记账工具' });
  assert.equal(await row.count(), 1, 'the token is listed');
  const problems = await axeProblems(page, '/account with a token [phone]');
  const overflow = await overflowProblem(page, '/account with a token [phone 390x844]');
  if (overflow) problems.push(`horizontal overflow: ${overflow}`);
  assert.ok(problems.length === 0, `${problems.length} problem(s):\n    ${problems.join('\n    ')}`);
  await Promise.all([page.waitForLoadState('load'), row.getByRole('button').click()]);
  assert.equal(await page.locator('tr', { hasText: '手机上的记账工具' }).getByRole('button').count(), 0, 'revoked: no button');
}, { bypassCSP: true });
