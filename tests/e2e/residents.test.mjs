// A resident asks to join a neighborhood on a phone and the staff approve it: a new account signs up from the join
// form of the neighborhood's page, sends its request and sees it waiting; the neighborhood's staff open the queue
// from the neighborhood's page and approve; the resident sees it approved. Every page passes axe and fits a phone.

import assert from 'node:assert/strict';
import { DEMO_PASSWORD, PHONE, RESIDENT, axeProblems, discoverTree, overflowProblem, pathOf, signIn, test, url }
  from './lib.mjs';

test('a resident asks to join a neighborhood and staff approve it, on phones', async ({ browser }) => {
  const tree = await discoverTree(browser);
  const problems = [];
  const check = async (p, label) => {
    for (const line of await axeProblems(p, label)) problems.push(line);
    const overflow = await overflowProblem(p, label);
    if (overflow) problems.push(overflow);
  };

  // The resident, on a phone: the neighborhood's page has no join link before signing in; the form sends them to
  // sign up and back.
  const resident = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', bypassCSP: true });
  resident.setDefaultTimeout(15000);
  const staff = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', bypassCSP: true });
  staff.setDefaultTimeout(15000);
  try {
    const p = await resident.newPage();
    await p.goto(url(`/areas/${tree.neighborhood}/join`));
    await check(p, '/areas/{id}/join [anonymous, phone]');
    await Promise.all([p.waitForURL((u) => u.pathname === '/sign-up'),
      p.locator('main').getByRole('link', { name: '注册' }).click()]);
    const form = p.locator('main form');
    const login = `join${Date.now() % 100000000}`;
    await form.getByLabel('手机号或用户名', { exact: true }).fill(login);
    await form.getByLabel('称呼', { exact: true }).fill('新租户');
    await form.getByLabel('密码', { exact: true }).fill('a long enough password');
    await Promise.all([p.waitForURL((u) => u.pathname === `/areas/${tree.neighborhood}/join`),
      form.getByRole('button', { name: '注册' }).click()]);
    await check(p, '/areas/{id}/join [signed in, phone]');
    const ask = p.locator('main form');
    await ask.getByLabel('室号（可不填），如 3-201').fill('1-101');
    await ask.getByLabel('给工作人员的留言（可不填）').fill('我是1-101的租户');
    await Promise.all([p.waitForURL((u) => u.pathname === '/account/join-requests'),
      ask.getByRole('button', { name: '提交申请' }).click()]);
    assert.match(await p.locator('main .notice').innerText(), /申请已提交/);
    assert.match(await p.locator('main .join-list').innerText(), /等待工作人员处理/);
    await check(p, '/account/join-requests [phone]');

    // The staff, on a phone: the queue from the neighborhood's page; approve.
    const s = await staff.newPage();
    await signIn(s, RESIDENT, DEMO_PASSWORD, '/');
    await s.goto(url(`/areas/${tree.neighborhood}`));
    await Promise.all([s.waitForURL((u) => u.pathname === `/areas/${tree.neighborhood}/join-requests`),
      s.locator('main').getByRole('link', { name: '入区申请' }).click()]);
    await check(s, '/areas/{id}/join-requests [phone]');
    const item = s.locator('main ul.join-list > li').filter({ hasText: '新租户' });
    assert.match(await item.innerText(), /我是1-101的租户/);
    await Promise.all([s.waitForNavigation(), item.getByRole('button', { name: '批准' }).click()]);
    assert.equal(pathOf(s), `/areas/${tree.neighborhood}/join-requests`);
    assert.match(await s.locator('main .notice').innerText(), /已批准/);

    // The resident sees it approved.
    await p.goto(url('/account/join-requests'));
    assert.match(await p.locator('main .join-list').innerText(), /已批准/);
  } finally {
    await resident.close();
    await staff.close();
  }
  assert.deepEqual(problems, []);
});
