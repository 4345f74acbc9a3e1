// A real owner claims the invitation letter in the browser: staff open the owners of the neighborhood's second
// building (whose owners have no demo logins) and print one owner's letter; on a phone, the owner opens the letter's
// link, signs up from the claim page, comes back to it with the code filled in and claims. Every page passes axe
// and fits a phone.

import assert from 'node:assert/strict';
import { DEMO_PASSWORD, PHONE, RESIDENT, axeProblems, discoverTree, overflowProblem, pathOf, signIn, test, url }
  from './lib.mjs';

test('an owner claims the invitation letter from its link on a phone', async ({ browser }) => {
  const tree = await discoverTree(browser);
  const problems = [];
  const check = async (p, label) => {
    for (const line of await axeProblems(p, label)) problems.push(line);
    const overflow = await overflowProblem(p, label);
    if (overflow) problems.push(overflow);
  };

  // Staff (nb-huayang), on a phone too: the owners page of the second building, then one owner's letter (it opens
  // in a new tab). bypassCSP lets axe's script in.
  const staff = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', bypassCSP: true });
  staff.setDefaultTimeout(15000);
  const page = await staff.newPage();
  await signIn(page, RESIDENT, DEMO_PASSWORD, '/');
  const children = await (await page.request.get(url(`/api/v1/areas/${tree.neighborhood}/children`))).json();
  assert.ok(children.items.length >= 2, 'the neighborhood has a second building');
  const building = children.items[1].id;
  await page.goto(url(`/areas/${building}`));
  await Promise.all([page.waitForURL((u) => u.pathname === `/areas/${building}/owners`),
    page.locator('main').getByRole('link', { name: '业主与邀请函' }).click()]);
  await check(page, '/areas/{id}/owners');
  const item = page.locator('main ul.owner-list > li').filter({ hasText: '未关联账号' }).first();
  const [letter] = await Promise.all([
    page.context().waitForEvent('page'),
    item.getByRole('button', { name: '邀请函' }).click(),
  ]);
  await letter.waitForLoadState('load');
  const code = await letter.locator('[data-claim-code]').first().getAttribute('data-claim-code');
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  assert.ok(await letter.locator('.owner-letter .qr svg').count() === 1, 'the letter has its QR code');
  const link = await letter.locator('.owner-letter figcaption code').innerText();
  assert.ok(link.endsWith(`/claim?code=${code}`), `the letter links to the claim page: ${link}`);
  await check(letter, 'letter');
  await staff.close();

  // The owner, on a phone: the link, sign up, back to the claim with the code, claim.
  const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', bypassCSP: true });
  context.setDefaultTimeout(15000);
  try {
    const p = await context.newPage();
    await p.goto(url(`/claim?code=${code}`));
    await check(p, '/claim [anonymous, phone]');
    await Promise.all([p.waitForURL((u) => u.pathname === '/sign-up'),
      p.locator('main').getByRole('link', { name: '注册' }).click()]);
    const form = p.locator('main form');
    const login = `owner${Date.now() % 100000000}`;
    await form.getByLabel('手机号或用户名', { exact: true }).fill(login);
    await form.getByLabel('称呼', { exact: true }).fill('新业主');
    await form.getByLabel('密码', { exact: true }).fill('a long enough password');
    await Promise.all([p.waitForURL((u) => u.pathname === '/claim'), form.getByRole('button', { name: '注册' }).click()]);
    assert.equal(await p.locator('main input[name=code]').inputValue(), code, 'the code came along');
    await check(p, '/claim [signed in, phone]');
    await Promise.all([p.waitForNavigation(), p.locator('main form').getByRole('button', { name: '认领' }).click()]);
    assert.equal(pathOf(p), '/claim');
    assert.match(await p.locator('main .notice').innerText(), /已关联为以下房屋的业主/);
    await check(p, '/claim [claimed, phone]');

    // The same code a second time: refused with the reason.
    await p.goto(url(`/claim?code=${code}`));
    await Promise.all([p.waitForNavigation(), p.locator('main form').getByRole('button', { name: '认领' }).click()]);
    assert.match(await p.locator('main .error').innerText(), /已被使用/);
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, []);
});
