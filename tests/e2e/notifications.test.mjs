// Following and notifications in the browser: a resident follows the case they reported with the button on its page,
// staff answer it, and the resident finds the notification in the notification center, opens the case from it and
// sees it read; the center passes axe.

import assert from 'node:assert/strict';
import { DEMO_PASSWORD, PHONE, axeProblems, discoverTree, pathOf, signIn, test, url } from './lib.mjs';

async function submit(page, button) {
  await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), button.click()]);
}

test('notifications: a resident follows their case, staff answer it, the resident reads the notification in the site',
  async ({ page, browser }) => {
    const { building } = await discoverTree(browser);
    const title = `单元门禁损坏 ${Date.now() % 100000}`;
    const residentContext = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', bypassCSP: true });
    residentContext.setDefaultTimeout(15000);
    try {
      const r = await residentContext.newPage();
      await signIn(r, 'resident1', DEMO_PASSWORD, '/');
      // The case is filed through the API with the session (the report form has its own test in cases.test.mjs).
      await r.goto(url('/notifications'));
      const csrf = await r.locator('input[name=_csrf]').first().getAttribute('value');
      const made = await r.request.post(url('/api/v1/cases'), {
        headers: { 'X-CSRF-Token': csrf },
        data: { type: 'enquiry', category: 'property_management', title, description: '单元门禁无法刷卡开门。',
                area_id: building, channel: 'web', contact_name: '陆小凤', contact_phone: '13900001111',
                public: false },
      });
      assert.equal(made.status(), 201, await made.text());
      const id = (await made.json()).id;
      const casePath = `/cases/${id}`;

      // Follow from the case page: the button turns into "unfollow".
      await r.goto(url(casePath));
      await submit(r, r.locator('main form.follow').getByRole('button', { name: '关注' }));
      assert.equal(pathOf(r), casePath);
      await r.locator('main form.follow').getByRole('button', { name: '取消关注' }).waitFor();

      // Staff answer it.
      await signIn(page, 'nb-huayang', DEMO_PASSWORD, '/');
      await page.goto(url(casePath));
      const answer = page.locator('main form.case-action').filter({ has: page.locator('input[name=action][value=answer]') });
      await answer.getByLabel('答复内容').fill('已通知物业本周修复门禁。');
      await submit(page, answer.getByRole('button', { name: '直接答复' }));

      // The resident's center shows it once the fan-out job has run (the server polls its jobs every second here).
      const item = r.locator('main li.notification.unread').filter({ hasText: title });
      for (let i = 0; i < 30; i++) {
        await r.goto(url('/notifications?unread=1'));
        if (await item.count()) break;
        await r.waitForTimeout(1000);
      }
      await item.first().waitFor();
      assert.match(await item.first().innerText(), /诉求已答复/);
      assert.match(await r.locator('main h1').innerText(), /通知\s*\d+/);
      const problems = await axeProblems(r, 'notification center');
      assert.deepEqual(problems, []);
      // Marking it read goes to the case, which shows the answer; the unread filter no longer lists it.
      await submit(r, item.first().getByRole('button', { name: '标为已读' }));
      assert.equal(pathOf(r), casePath);
      assert.match(await r.locator('main').innerText(), /已通知物业本周修复门禁。/);
      await r.goto(url('/notifications?unread=1'));
      assert.equal(await r.locator('main li.notification').filter({ hasText: title }).count(), 0);
      await r.goto(url('/notifications'));
      await r.locator('main li.notification').filter({ hasText: title }).first().waitFor();
    } finally {
      await residentContext.close();
    }
  }, { bypassCSP: true });
