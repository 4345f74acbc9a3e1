// Meetings in the browser: staff create and notice a consultation, a resident registers, staff record the sign-in
// and publish the minutes, and the public page shows them without anybody's name.

import assert from 'node:assert/strict';
import { DEMO_PASSWORD, DESKTOP, PHONE, axeProblems, discoverTree, follow, overflowProblem, pathOf, signIn, test, url }
  from './lib.mjs';

// The date and time in Asia/Shanghai `minutes` from now, as the form's inputs want them.
function shanghai(minutes) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + minutes * 60 * 1000));
  const get = (type) => parts.find((p) => p.type === type).value;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

test('meetings: staff create and notice, a resident registers, staff sign in and publish minutes, the public sees them',
  async ({ page, browser }) => {
    const { neighborhood } = await discoverTree(browser);
    const subject = `楼道堆物协调征询会 ${Date.now() % 100000}`;

    // Staff: from the neighborhood page to a new meeting.
    await signIn(page, 'nb-huayang', DEMO_PASSWORD, '/');
    await page.goto(url(`/areas/${neighborhood}`));
    await follow(page, page.locator('main').getByRole('link', { name: '居民区会议' }));
    assert.equal(pathOf(page), `/neighborhoods/${neighborhood}/meetings`);
    await follow(page, page.locator('main').getByRole('link', { name: '新建会议' }));
    const form = page.locator('main form');
    const start = shanghai(60);
    const end = shanghai(120);
    await form.getByLabel('会议类型').selectOption({ label: '征询会' });
    await form.getByLabel('议题').fill(subject);
    await form.getByLabel('日期').fill(start.date);
    await form.getByLabel('开始时间').fill(start.time);
    await form.getByLabel('结束时间').fill(end.time);
    await form.getByLabel('地点').fill('3号楼门口');
    await form.getByLabel('议程').fill('清理方案\n责任分工');
    await Promise.all([page.waitForURL(/\/meetings\/\d+$/), form.getByRole('button', { name: '保存' }).click()]);
    const meetingPath = pathOf(page);
    assert.match(await page.locator('main h1').innerText(), new RegExp(subject));
    assert.match(await page.locator('main').innerText(), /草稿/);
    await Promise.all([page.waitForLoadState('load'),
      page.locator('main').getByRole('button', { name: '发布会议通知' }).click()]);
    await page.locator('main').getByText('已发布通知', { exact: true }).waitFor();

    // A resident of the neighborhood registers.
    const residentContext = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    try {
      const resident = await residentContext.newPage();
      await signIn(resident, 'resident1', DEMO_PASSWORD, '/');
      await resident.goto(url(meetingPath));
      await Promise.all([resident.waitForLoadState('load'),
        resident.locator('main').getByRole('button', { name: '我要报名' }).click()]);
      await resident.locator('main').getByText('您已报名。').waitFor();
      assert.equal(await resident.locator('main').getByRole('button', { name: '我要报名' }).count(), 0);
      const overflow = await overflowProblem(resident, 'meeting page on a phone');
      assert.equal(overflow, null, overflow);
    } finally {
      await residentContext.close();
    }

    // Staff sign the registered resident in from the sheet, and a walk-in owner by name.
    await page.reload();
    const sheet = page.locator('main ul.mtg-sheet li').filter({ hasText: '居民 resident1' });
    await Promise.all([page.waitForLoadState('load'), sheet.getByRole('button', { name: '签到', exact: true }).click()]);
    await page.locator('main ul.mtg-sheet li').filter({ hasText: '居民 resident1' }).getByText('已签到').waitFor();
    await page.locator('main').getByLabel('现场签到：姓名').fill('业主 王某');
    await page.locator('main').getByLabel('身份').selectOption({ label: '业主' });
    await Promise.all([page.waitForLoadState('load'),
      page.locator('main').getByRole('button', { name: '登记签到' }).click()]);
    await page.locator('main ul.mtg-attendees').getByText('业主 王某').waitFor();
    assert.match(await page.locator('main').innerText(), /已召开/);
    await page.locator('main').getByLabel('纪要内容').fill('会议纪要：两周内清理楼道堆物，由楼组长督促。');
    await Promise.all([page.waitForLoadState('load'),
      page.locator('main').getByRole('button', { name: '公布纪要' }).click()]);
    await page.locator('main').getByText('已公布纪要', { exact: true }).waitFor();

    // The public page: the minutes and the attendance by role, no names of those who came.
    const publicContext = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', bypassCSP: true });
    try {
      const anon = await publicContext.newPage();
      const response = await anon.goto(url(meetingPath));
      assert.equal(response.status(), 200);
      const text = await anon.locator('main').innerText();
      assert.match(text, /会议纪要：两周内清理楼道堆物/);
      assert.match(text, new RegExp(subject));
      assert.ok(!text.includes('业主 王某'), 'the public page names no attendee');
      assert.ok(!text.includes('resident1'), 'the public page names no registrant');
      const total = anon.locator('main .mtg-attendance div').filter({ hasText: '签到合计' }).locator('dd');
      assert.equal((await total.innerText()).trim(), '2');
      const owners = anon.locator('main .mtg-attendance div').filter({ hasText: /^业主/ }).locator('dd');
      assert.equal((await owners.innerText()).trim(), '2', 'resident1 owns a unit there, and the walk-in is an owner');
      const problems = await axeProblems(anon, 'public meeting page');
      assert.deepEqual(problems, []);
      // The neighborhood's list and calendar show it.
      await anon.goto(url(`/neighborhoods/${neighborhood}/meetings`));
      await anon.locator('main').getByRole('link', { name: new RegExp(subject) }).waitFor();
      const ics = await anon.request.get(url(`/neighborhoods/${neighborhood}/meetings.ics`));
      assert.equal(ics.status(), 200);
      assert.match(ics.headers()['content-type'], /^text\/calendar/);
      const body = (await ics.text()).replace(/\r\n /g, '');
      assert.ok(body.includes(`SUMMARY:征询会：${subject}\r\n`), 'the feed lists the meeting');
    } finally {
      await publicContext.close();
    }
  });

test('meetings: the staff pages pass axe and fit a phone', async ({ page, browser }) => {
  const { neighborhood } = await discoverTree(browser);
  await page.setViewportSize(PHONE);
  await signIn(page, 'nb-huayang', DEMO_PASSWORD, '/');
  const problems = [];
  for (const p of [`/neighborhoods/${neighborhood}/meetings`, `/neighborhoods/${neighborhood}/meetings/new`]) {
    await page.goto(url(p));
    problems.push(...await axeProblems(page, p));
    const overflow = await overflowProblem(page, p);
    if (overflow) problems.push(overflow);
  }
  // A demo meeting with its whole record, as its manager sees it.
  await page.goto(url(`/neighborhoods/${neighborhood}/meetings`));
  await follow(page, page.locator('main').getByRole('link', { name: /加装电梯协调会/ }));
  problems.push(...await axeProblems(page, pathOf(page)));
  const overflow = await overflowProblem(page, pathOf(page));
  if (overflow) problems.push(overflow);
  assert.deepEqual(problems, []);
}, { bypassCSP: true });
