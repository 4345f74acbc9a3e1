// Cases in the browser: a resident reports from a building's door QR page with a photo (seeing similar cases first),
// staff dispatch with the routing proposal, the handling unit signs from its inbox and replies, and the resident rates
// the result; staff merge a duplicate from its page; then the new pages pass axe and fit a phone.

import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD, DESKTOP, PHONE, axeProblems, discoverTree, follow, overflowProblem, pathOf, signIn, test, url }
  from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PHOTO = path.join(HERE, '..', 'record', 'photo.png');

// Submits a form by its button and waits for the page it leads to.
async function submit(page, button) {
  await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), button.click()]);
}

let reported = null;  // { path, id } of the case the first test files, for the accessibility test

test('cases: a resident reports from the door QR page with a photo, staff dispatch, the unit signs and replies, the resident rates it',
  async ({ page, browser }) => {
    const { building } = await discoverTree(browser);
    const title = `楼道堆物影响通行 ${Date.now() % 100000}`;

    // The resident, on a phone, from the building's QR page.
    const residentContext = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    residentContext.setDefaultTimeout(15000);
    let casePath;
    try {
      const r = await residentContext.newPage();
      await signIn(r, 'resident1', DEMO_PASSWORD, '/');
      await r.goto(url(`/buildings/${building}`));
      await follow(r, r.locator('main').getByRole('link', { name: '在这里反映问题' }));
      assert.equal(pathOf(r), `/buildings/${building}/report`);
      const form = r.locator('main form.case-form');
      assert.equal(await form.getByLabel('地点').inputValue(), String(building), 'the building is pre-filled');
      await form.getByLabel('类别').selectOption({ label: '物业管理' });
      await form.getByLabel('标题', { exact: true }).fill(title);
      await form.getByLabel('具体情况').fill('三楼楼道堆满纸箱和旧家具，影响通行，存在消防隐患。');
      await submit(r, form.getByRole('button', { name: '下一步：查看类似诉求' }));
      // Step 2: similar cases (or none), then the files and the rest.
      await r.locator('main').getByRole('heading', { name: '相似诉求' }).waitFor();
      const overflow = await overflowProblem(r, 'report form step 2 on a phone');
      assert.equal(overflow, null, overflow);
      const form2 = r.locator('main form.case-form');
      assert.equal(await form2.getByLabel('标题', { exact: true }).inputValue(), title, 'the draft is kept');
      await form2.getByLabel('图片和附件').setInputFiles(PHOTO);
      await form2.getByLabel('可以公开（不显示姓名和电话）').check();
      await submit(r, form2.getByRole('button', { name: '提交诉求' }));
      assert.match(pathOf(r), /^\/cases\/\d+$/);
      casePath = pathOf(r);
      await r.locator('main').getByText('诉求已提交，处理进展会显示在这里。').waitFor();
      assert.match(await r.locator('main h1').innerText(), new RegExp(title));
      // The photo's thumbnail is shown and loads.
      await r.locator('main .case-files img').waitFor();
      await r.waitForFunction(() => {
        const img = document.querySelector('main .case-files img');
        return img && img.complete && img.naturalWidth > 0;
      });
      assert.match(await r.locator('main').innerText(), /楼门口二维码/);
    } finally {
      await residentContext.close();
    }
    reported = { path: casePath, id: Number(casePath.split('/').pop()) };

    // Staff dispatch: the routing proposal (property management -> the housing bureau) is pre-selected.
    await signIn(page, 'nb-huayang', DEMO_PASSWORD, '/');
    await page.goto(url(casePath));
    const dispatch = page.locator('main form.case-action').filter({ has: page.locator('input[name=action][value=dispatch]') });
    const lead = dispatch.getByLabel('主办单位', { exact: true });
    const chosen = await lead.evaluate((s) => s.options[s.selectedIndex].text);
    assert.equal(chosen, '区房屋管理局');
    await submit(page, dispatch.getByRole('button', { name: '派单' }));
    await page.locator('main').getByText('已派单。').waitFor();
    assert.match(await page.locator('main .case-timeline').innerText(), /派单/);

    // The unit signs from its inbox (batch) and replies on the case page.
    const unitContext = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
    unitContext.setDefaultTimeout(15000);
    try {
      const u = await unitContext.newPage();
      await signIn(u, 'unit-housing', DEMO_PASSWORD, '/');
      await u.goto(url('/inbox'));
      assert.match(pathOf(u), /^\/units\/\d+\/inbox$/);
      await u.locator('main').getByLabel(`选择 #${reported.id}`).check();
      await u.locator('main').getByLabel('对勾选的诉求').selectOption({ label: '签收' });
      await submit(u, u.locator('main').getByRole('button', { name: '批量处理' }));
      await u.locator('main').getByText(/已处理 1 件/).waitFor();
      await u.goto(url(casePath));
      assert.match(await u.locator('main').innerText(), /已签收/);
      const reply = u.locator('main form.case-action').filter({ has: u.locator('input[name=action][value=reply]') });
      await reply.getByLabel('答复内容').fill('已联系物业，本周内清理完毕。');
      await submit(u, reply.getByRole('button', { name: '答复' }));
      await u.locator('main').getByText('已答复。').waitFor();
    } finally {
      await unitContext.close();
    }

    // The resident rates the result.
    const rateContext = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    rateContext.setDefaultTimeout(15000);
    try {
      const r = await rateContext.newPage();
      await signIn(r, 'resident1', DEMO_PASSWORD, '/');
      await r.goto(url(casePath));
      assert.match(await r.locator('main .case-timeline').innerText(), /已联系物业，本周内清理完毕。/);
      const rate = r.locator('main form.case-action').filter({ has: r.locator('input[name=action][value=follow_up]') });
      await rate.getByLabel('已解决', { exact: true }).check();
      await rate.getByLabel('满意', { exact: true }).check();
      await rate.getByLabel('评价意见（可选）').fill('处理及时，谢谢。');
      await submit(r, rate.getByRole('button', { name: '回访评价' }));
      await r.locator('main').getByText('感谢您的评价。').waitFor();
      assert.match(await r.locator('main').innerText(), /已回访/);
      assert.match(await r.locator('main').innerText(), /处理及时，谢谢。/);
      // My cases lists it.
      await r.goto(url('/cases/mine'));
      await r.locator('main').getByRole('link', { name: title }).waitFor();
    } finally {
      await rateContext.close();
    }

    // The public list of the neighborhood shows it without the reporter's name, with the plot.
    const anonContext = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    try {
      const a = await anonContext.newPage();
      const { neighborhood } = await discoverTree(browser);
      await a.goto(url(`/neighborhoods/${neighborhood}/cases`));
      await a.locator('main').getByRole('link', { name: title }).waitFor();
      assert.equal(await a.locator('main svg[role=img]').count(), 1);
      assert.ok(!(await a.locator('main').innerText()).includes('居民 resident1'), 'no reporter name');
    } finally {
      await anonContext.close();
    }
  });

// Reports a case through the building's form as the signed-in user of `page`; returns its id.
async function reportAs(page, building, title, text) {
  await page.goto(url(`/buildings/${building}/report`));
  const form = page.locator('main form.case-form');
  await form.getByLabel('类别').selectOption({ label: '物业管理' });
  await form.getByLabel('标题', { exact: true }).fill(title);
  await form.getByLabel('具体情况').fill(text);
  await submit(page, form.getByRole('button', { name: '下一步：查看类似诉求' }));
  await submit(page, page.locator('main form.case-form').getByRole('button', { name: '提交诉求' }));
  assert.match(pathOf(page), /^\/cases\/\d+$/);
  return Number(pathOf(page).split('/').pop());
}

test('cases: staff merge a duplicate from its page into the similar case it repeats', async ({ page, browser }) => {
  const { building } = await discoverTree(browser);
  const stamp = Date.now() % 100000;
  const keptTitle = `电动车在楼道里飞线充电 ${stamp}`;
  const dupTitle = `楼道电动车飞线充电 ${stamp}`;
  const text = '有人从窗户拉电线下来给电动车充电，楼道里停着好几辆电动车，存在火灾隐患。';
  let kept;
  let dup;
  const residentContext = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
  residentContext.setDefaultTimeout(15000);
  try {
    const r = await residentContext.newPage();
    await signIn(r, 'resident1', DEMO_PASSWORD, '/');
    kept = await reportAs(r, building, keptTitle, text);
    dup = await reportAs(r, building, dupTitle, text);
    // The reporter is offered no merge.
    assert.equal(await r.locator('main section.case-merge').count(), 0);
  } finally {
    await residentContext.close();
  }

  // Staff, on a phone: the duplicate's page offers the similar case; the form passes axe and fits.
  await page.setViewportSize(PHONE);
  await signIn(page, 'nb-huayang', DEMO_PASSWORD, '/');
  await page.goto(url(`/cases/${dup}`));
  const merge = page.locator('main section.case-merge');
  await merge.getByRole('heading', { name: '合并重复诉求' }).waitFor();
  const problems = [...await axeProblems(page, `/cases/${dup} (staff, merge form)`)];
  const overflow = await overflowProblem(page, `/cases/${dup} (staff, merge form)`);
  if (overflow) problems.push(overflow);
  assert.deepEqual(problems, []);
  await merge.getByLabel(new RegExp(`^#${kept} `)).check();
  await merge.getByLabel('备注（可选）').fill('同一楼道同一问题');
  await merge.getByLabel('我知道：合并后不能撤销；本件随即办结，提交人和关注者转为关注保留的诉求').check();
  await submit(page, merge.getByRole('button', { name: '并入所选诉求' }));

  // The kept case: the notice, the duplicate listed with a link, both in its timeline.
  assert.equal(pathOf(page), `/cases/${kept}`);
  await page.locator('main').getByText(`已将 #${dup} 作为重复诉求并入本件`).waitFor();
  assert.match(await page.locator('main .case-timeline').innerText(), /合并了重复诉求/);
  await follow(page, page.locator('main .case-duplicates').getByRole('link', { name: `#${dup} ${dupTitle}` }));

  // The duplicate: "merged into #kept" with a link back, its own timeline kept, no merge form any more.
  assert.equal(pathOf(page), `/cases/${dup}`);
  assert.match(await page.locator('main .case-merged').innerText(), new RegExp(`本件已作为重复诉求并入 #${kept}`));
  assert.match(await page.locator('main .case-timeline').innerText(), /已合并为重复诉求[\s\S]*同一楼道同一问题/);
  assert.equal(await page.locator('main section.case-merge').count(), 0);
  await follow(page, page.locator('main .case-merged').getByRole('link', { name: `#${kept}` }));
  assert.equal(pathOf(page), `/cases/${kept}`);
}, { bypassCSP: true });

test('cases: the new pages pass axe and fit a phone', async ({ page, browser }) => {
  const { neighborhood, building } = await discoverTree(browser);
  const problems = [];
  const check = async (label) => {
    problems.push(...await axeProblems(page, label));
    const overflow = await overflowProblem(page, label);
    if (overflow) problems.push(overflow);
  };
  await page.setViewportSize(PHONE);
  // Anonymous: the report form, the public list.
  for (const p of [`/buildings/${building}/report`, `/cases/new`, `/neighborhoods/${neighborhood}/cases`]) {
    const response = await page.goto(url(p));
    assert.equal(response.status(), 200, p);
    await check(p);
  }
  // Step 2 of the form, anonymous (phone required).
  await page.goto(url(`/buildings/${building}/report`));
  const form = page.locator('main form.case-form');
  await form.getByLabel('标题', { exact: true }).fill('楼道堆物');
  await form.getByLabel('具体情况').fill('楼道堆物');
  await submit(page, form.getByRole('button', { name: '下一步：查看类似诉求' }));
  await check('report form step 2');
  // An anonymous report: the phone is required; the receipt.
  const form2 = page.locator('main form.case-form');
  await form2.getByLabel('联系电话').fill('13900002222');
  await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(),
    form2.getByRole('button', { name: '提交诉求' }).click()]);
  await page.locator('main').getByText('已收到您的诉求，编号').waitFor();
  assert.match(await page.locator('main').innerText(), /139\*\*\*\*2222/);
  await check('receipt');
  // Staff: a case page with its action forms, the list, entry, the rates.
  await signIn(page, 'nb-huayang', DEMO_PASSWORD, '/');
  for (const p of ['/cases', '/cases/entry', '/cases/metrics', ...(reported ? [reported.path] : [])]) {
    const response = await page.goto(url(p));
    assert.equal(response.status(), 200, p);
    await check(`${p} (staff)`);
  }
  // A demo case waiting for dispatch, with the dispatch form.
  await page.goto(url('/cases?state=submitted'));
  const first = page.locator('main .case-list a').first();
  if (await first.count()) {
    await follow(page, first);
    await check(`${pathOf(page)} (staff, submitted)`);
  }
  // The unit's inbox.
  await page.context().clearCookies();
  await signIn(page, 'unit-housing', DEMO_PASSWORD, '/');
  await page.goto(url('/inbox'));
  await check(pathOf(page));
  // The resident's own pages.
  await page.context().clearCookies();
  await signIn(page, 'resident1', DEMO_PASSWORD, '/');
  for (const p of ['/cases/mine', ...(reported ? [reported.path] : [])]) {
    await page.goto(url(p));
    await check(`${p} (resident)`);
  }
  assert.deepEqual(problems, []);
}, { bypassCSP: true });

// Dispatch to one of many units on a phone: the co-units are checkboxes (no Ctrl-click), a filter box above each
// picker narrows it as one types (by name or by the unit's kind), says so when nothing matches, and keeps a ticked
// co-unit in view while it filters for the next one.
test('cases: on a phone, staff filter the units, tick co-units, pick the lead unit and dispatch', async ({ page, browser }) => {
  const { building } = await discoverTree(browser);
  const stamp = Date.now() % 100000;
  let id;
  const residentContext = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
  residentContext.setDefaultTimeout(15000);
  try {
    const r = await residentContext.newPage();
    await signIn(r, 'resident1', DEMO_PASSWORD, '/');
    id = await reportAs(r, building, `楼前绿地被占用堆放建材 ${stamp}`, '楼前绿地上堆放了大量装修建材，草坪被压坏，夜里还有施工噪声。');
  } finally {
    await residentContext.close();
  }

  await page.setViewportSize(PHONE);
  await signIn(page, 'nb-huayang', DEMO_PASSWORD, '/');
  await page.goto(url(`/cases/${id}`));
  const dispatch = page.locator('main form.case-action').filter({ has: page.locator('input[name=action][value=dispatch]') });
  const co = dispatch.getByRole('group', { name: '协办单位', exact: true });
  const coShown = () => co.locator('.picker-list [data-picker-option]:visible').allInnerTexts();
  const coFilter = dispatch.getByLabel('筛选协办单位');
  await coFilter.waitFor();  // shown by static/app.js
  assert.equal(await co.locator('input[type=checkbox][name=co_unit_ids]').count(), await co.locator('[data-picker-option]').count());
  const everyUnit = (await coShown()).length;
  assert.ok(everyUnit > 8, `all ${everyUnit} units listed before filtering`);

  await coFilter.fill('绿化');
  assert.deepEqual(await coShown(), ['区绿化和市容管理局']);
  await coFilter.fill('没有这个单位');
  await dispatch.getByRole('status').filter({ hasText: '没有名称或类别匹配的单位。' }).waitFor();
  assert.deepEqual(await coShown(), []);
  await coFilter.fill('居委会');  // the kind's label matches every committee
  const committees = await coShown();
  assert.ok(committees.length > 0 && committees.every((t) => t.endsWith('居委会')), committees.join(', '));
  assert.equal(await dispatch.getByRole('status').filter({ hasText: '没有' }).count(), 0, 'the hint is gone');
  await coFilter.fill('绿化');
  await dispatch.getByLabel('区绿化和市容管理局').check();
  await coFilter.fill('生态');
  assert.deepEqual(await coShown(), ['区绿化和市容管理局', '区生态环境局'], 'the ticked unit stays in view');
  await dispatch.getByLabel('区生态环境局').check();

  // The lead unit: the routing proposal stays chosen while the list narrows to what matches.
  const lead = dispatch.getByLabel('主办单位', { exact: true });
  await dispatch.getByLabel('筛选主办单位').fill('城管');
  assert.deepEqual((await lead.locator('option').allInnerTexts()).sort(), ['区城管执法局', '区房屋管理局'].sort());
  assert.equal(await lead.evaluate((s) => s.options[s.selectedIndex].text), '区房屋管理局');
  await lead.selectOption({ label: '区城管执法局' });

  const problems = [...await axeProblems(page, `/cases/${id} (staff, dispatch filtered, 390px)`)];
  const overflow = await overflowProblem(page, `/cases/${id} (staff, dispatch filtered, 390px)`);
  if (overflow) problems.push(overflow);
  assert.deepEqual(problems, []);
  const target = await dispatch.getByLabel('区生态环境局').evaluate((box) => box.closest('label').getBoundingClientRect().height);
  assert.ok(target >= 44, `a co-unit's row is ${target}px tall`);

  await submit(page, dispatch.getByRole('button', { name: '派单' }));
  await page.locator('main').getByText('已派单。').waitFor();
  const rows = await page.locator('main section[aria-labelledby=assign-heading] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => `${tr.cells[0].innerText.trim()} ${tr.cells[1].innerText.trim()}`));
  assert.deepEqual(rows.sort(), ['区城管执法局 主办单位', '区生态环境局 协办单位', '区绿化和市容管理局 协办单位'].sort());
}, { bypassCSP: true });
