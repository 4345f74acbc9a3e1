// Following and notifications in the browser: a resident follows the case they reported with the button on its page,
// staff answer it, and the resident finds the notification in the notification center, opens the case from it and
// sees it read; the center passes axe.

import assert from 'node:assert/strict';
import { DEMO_PASSWORD, PHONE, axeProblems, discoverTree, follow, pathOf, signIn, test, url, waitForMail } from './lib.mjs';

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

test('notifications: a resident verifies an email address with the code, gets the answer by email, opens it and rates it',
  async ({ page, browser }) => {
    const { building } = await discoverTree(browser);
    const address = `resident1-${Date.now() % 100000}@example.org`;
    const title = `楼道灯不亮 ${Date.now() % 100000}`;
    const residentContext = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', bypassCSP: true });
    residentContext.setDefaultTimeout(15000);
    try {
      const r = await residentContext.newPage();
      await signIn(r, 'resident1', DEMO_PASSWORD, '/');
      // The address, verified with the code the mail server received.
      await r.goto(url('/notifications/settings'));
      await follow(r, r.locator('main').getByRole('link', { name: '添加邮箱' }));
      assert.equal(pathOf(r), '/account/email');
      await r.locator('main').getByLabel('邮箱地址').fill(address);
      await submit(r, r.locator('main').getByRole('button', { name: '发送验证码' }));
      await r.locator('main').getByText('验证码已发出').waitFor();
      const codeMail = await waitForMail(r, address, /验证码 \d{6}/);
      const code = codeMail.subject.match(/(\d{6})/)[1];
      await r.locator('main').getByLabel('6 位验证码').fill(code);
      await submit(r, r.locator('main').getByRole('button', { name: '验证', exact: true }));
      await r.locator('main').getByText('邮箱已验证。').waitFor();
      assert.match(await r.locator('main').innerText(), new RegExp(address.replace('.', '\\.')));
      assert.deepEqual(await axeProblems(r, 'email address page'), []);

      // A case of theirs, answered by staff.
      const csrf = await r.locator('input[name=_csrf]').first().getAttribute('value');
      const made = await r.request.post(url('/api/v1/cases'), {
        headers: { 'X-CSRF-Token': csrf },
        data: { type: 'enquiry', category: 'property_management', title, description: '三楼楼道灯坏了一周。',
                area_id: building, channel: 'web', contact_name: '陆小凤', contact_phone: '13900001111',
                public: false },
      });
      assert.equal(made.status(), 201, await made.text());
      const casePath = `/cases/${(await made.json()).id}`;
      await signIn(page, 'nb-huayang', DEMO_PASSWORD, '/');
      await page.goto(url(casePath));
      const answer = page.locator('main form.case-action').filter({ has: page.locator('input[name=action][value=answer]') });
      await answer.getByLabel('答复内容').fill('已安排电工今天更换灯泡。');
      await submit(page, answer.getByRole('button', { name: '直接答复' }));

      // The email names the case and links to it; the resident opens the link and rates the answer.
      const mail = await waitForMail(r, address, new RegExp(title));
      assert.match(mail.subject, /诉求已答复/);
      const link = mail.body.match(/https?:\/\/\S+\/cases\/\d+/);
      assert.ok(link, mail.body);
      assert.equal(new URL(link[0]).pathname, casePath);
      await r.goto(link[0]);
      const rate = r.locator('main form.case-action').filter({ has: r.locator('input[name=action][value=follow_up]') });
      await rate.getByLabel('已解决', { exact: true }).check();
      await rate.getByLabel('满意', { exact: true }).check();
      await submit(r, rate.getByRole('button', { name: '回访评价' }));
      await r.locator('main').getByText('感谢您的评价。').waitFor();
      // The same notification is in the site too.
      await r.goto(url('/notifications'));
      await r.locator('main li.notification').filter({ hasText: title }).first().waitFor();
    } finally {
      await residentContext.close();
    }
  }, { bypassCSP: true });
