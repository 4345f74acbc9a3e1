// The elevator retrofit in the browser: staff start a project from a building page and walk it through
// feasibility, the survey, the plan with its drawing, a building ballot that passes and the cost shares; an owner
// answers the demo project's survey on a phone; the public page shows the progress without personal data. Every
// page passes axe and fits a phone.

import assert from 'node:assert/strict';
import { DEMO_PASSWORD, PHONE, RESIDENT, axeProblems, discoverTree, overflowProblem, pathOf, signIn, test, url }
  from './lib.mjs';

const DRAWING = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const NOTE = '评估报告编号 2026-017（浏览器测试）';

// A datetime-local value two days ahead, in Asia/Shanghai.
function inTwoDays() {
  return new Date(Date.now() + 2 * 86400e3 + 8 * 3600e3).toISOString().slice(0, 16);
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
  await page.waitForLoadState('load');
}

// "12.34" from hundredths.
const two = (h) => `${Math.floor(h / 100)}.${String(h % 100).padStart(2, '0')}`;

test('staff walk an elevator retrofit to its cost shares; owners answer; the public sees the progress',
  async ({ page, browser }) => {
    const tree = await discoverTree(browser);
    const problems = [];
    const check = async (p, label) => {
      for (const line of await axeProblems(p, label)) problems.push(line);
      const overflow = await overflowProblem(p, label);
      if (overflow) problems.push(overflow);
    };

    // An owner answers the demo project's survey (resident1's building) on a phone.
    {
      const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', bypassCSP: true });
      context.setDefaultTimeout(15000);
      try {
        const p = await context.newPage();
        await signIn(p, 'owner1', DEMO_PASSWORD, '/');
        const me = await (await p.request.get(url('/api/v1/me'))).json();
        assert.ok(me, 'signed in');
        const demo = await (await p.request.get(url(`/areas/${tree.building}/elevator`), { maxRedirects: 0 }));
        assert.equal(demo.status(), 303, 'the demo building has a project');
        await p.goto(url(demo.headers().location));
        const form = p.locator('main form.elevator-answer').first();
        await form.getByLabel('不同意', { exact: true }).check();
        await submit(p, form.getByRole('button'));
        assert.match(await p.locator('main .notice').innerText(), /意愿已记录/);
        assert.match(await p.locator('main .elevator-answers .answer').first().innerText(), /不同意/);
        await check(p, '/elevator [owner, phone]');
      } finally {
        await context.close();
      }
    }

    // Staff (nb-huayang) start a project for the neighborhood's second building from its page.
    await signIn(page, RESIDENT, DEMO_PASSWORD, '/');
    await page.goto(url(`/areas/${tree.neighborhood}`));
    await submit(page, page.locator('main ul.cards > li > a').nth(1));
    const building = Number(/^\/areas\/(\d+)$/.exec(pathOf(page))[1]);
    assert.notEqual(building, tree.building);
    await submit(page, page.locator('main').getByRole('link', { name: '加装电梯' }));
    assert.equal(pathOf(page), `/areas/${building}/elevator`);
    await submit(page, page.getByRole('button', { name: '启动加装电梯项目' }));
    const m = /^\/elevator\/(\d+)$/.exec(pathOf(page));
    assert.ok(m, `the project's page, at ${page.url()}`);
    const id = Number(m[1]);
    const staffForm = () => page.locator('main form.elevator-complete');

    // 1. Feasibility: grade A.
    await staffForm().getByLabel('A 类：适宜加装').check();
    await staffForm().getByLabel('记录').fill(NOTE);
    await submit(page, staffForm().getByRole('button', { name: '完成本步' }));
    assert.match(await page.locator('main .notice').innerText(), /本步已完成/);
    assert.match(await page.locator('main .elevator-state').innerText(), /意愿征询/);

    // 2. The survey: a paper answer, then complete.
    const paper = page.locator('main form.elevator-staff-answer');
    await paper.getByLabel('同意加装').check();
    await submit(page, paper.getByRole('button', { name: '录入意愿' }));
    assert.match(await page.locator('main table.elevator-survey-figures').innerText(), /同意加装\s+1\s/);
    await check(page, `/elevator/${id} [staff, survey]`);
    await submit(page, staffForm().getByRole('button', { name: '完成本步' }));

    // 3. The plan with its drawing.
    const plan = page.locator('main form.elevator-plan-form');
    await plan.getByLabel('方案说明').fill('北侧楼梯间外加装一部电梯，半层入户。');
    await submit(page, plan.getByRole('button', { name: '保存方案' }));
    const upload = page.locator('main form.elevator-drawing-form');
    await upload.getByLabel('方案图纸（PDF）').setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: DRAWING });
    await submit(page, upload.getByRole('button', { name: '上传图纸' }));
    assert.match(await page.locator('main .elevator-drawings').innerText(), /plan\.pdf/);
    await submit(page, staffForm().getByRole('button', { name: '完成本步' }));
    assert.match(await page.locator('main .elevator-state').innerText(), /本幢业主表决/);

    // 4. The building ballot: started from the project, every voter agrees on paper, closed: passed.
    const ballotForm = page.locator('main form.elevator-ballot-form');
    await ballotForm.getByLabel('表决截止时间').fill(inTwoDays());
    await submit(page, ballotForm.getByRole('button', { name: '发起表决' }));
    const b = /^\/ballots\/(\d+)$/.exec(pathOf(page));
    assert.ok(b, `the ballot's page, at ${page.url()}`);
    const ballot = Number(b[1]);
    const voters = await page.locator('#entry-voter option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(voters.length >= 2, `the building has voters (${voters.length})`);
    const csrf = await page.locator('main form.ballot-entry input[name=_csrf]').inputValue();
    for (const voter of voters) {
      const r = await page.request.post(url(`/api/v1/ballots/${ballot}/votes`), {
        headers: { 'X-CSRF-Token': csrf },
        multipart: { voter, choice: 'agree', channel: 'paper',
          file: { name: 'sheet.pdf', mimeType: 'application/pdf', buffer: DRAWING } },
      });
      assert.equal(r.status(), 201, await r.text());
    }
    await page.reload();
    const close = page.locator('main form.ballot-close');
    await close.getByLabel('我知道：提前截止后不能再投票，结果立即公布').check();  // it closes early
    await submit(page, close.getByRole('button', { name: '结束表决并计票' }));
    assert.match(await page.locator('main').innerText(), /通过/);
    await page.goto(url(`/elevator/${id}`));
    assert.match(await page.locator('main .step-ballots').innerText(), /表决通过|通过/);
    await submit(page, staffForm().getByRole('button', { name: '完成本步' }));
    assert.match(await page.locator('main .elevator-state').innerText(), /费用分摊/);
    assert.match(await page.locator('main li.step-skipped').innerText(), /不适用/);

    // 6. Cost shares: the ground floor pays nothing, the others share, summing to exactly 100.00%.
    const shares = page.locator('main form.elevator-shares-form');
    const inputs = shares.locator('input[name^=share_]');
    const n = await inputs.count();
    assert.ok(n >= 2, `the building has floors (${n})`);
    const each = Math.floor(10000 / (n - 1));
    for (let i = 0; i < n; i += 1) {
      const h = i === 0 ? 0 : (i === n - 1 ? 10000 - each * (n - 2) : each);
      await inputs.nth(i).fill(two(h));
    }
    await shares.getByLabel('总费用（元）').fill('123456.78');
    await submit(page, shares.getByRole('button', { name: '保存费用分摊' }));
    assert.match(await page.locator('main .total-cost').innerText(), /123,456\.78/);
    const table = await (await page.request.get(url(`/api/v1/elevator-projects/${id}/cost-shares`))).json();
    let sum = 0;
    for (const f of table.floors) for (const u of f.units) sum += Math.round(Number(u.amount.replace('.', '')));
    assert.equal(sum, 12345678, 'the unit amounts add up to the total, to the fen');
    assert.equal(await page.locator('main table.elevator-cost-table tbody tr').count(), n);
    await check(page, `/elevator/${id} [staff, cost shares]`);
    await submit(page, staffForm().getByRole('button', { name: '完成本步' }));
    assert.match(await page.locator('main .elevator-state').innerText(), /方案公示/);

    // The public page: the progress with its dates, the cost table, no notes.
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', bypassCSP: true });
    context.setDefaultTimeout(15000);
    try {
      const p = await context.newPage();
      await p.goto(url(`/elevator/${id}`));
      assert.equal(await p.locator('main li.step-done').count(), 5, 'five steps done');
      for (const date of await p.locator('main li.step-done .done-on').allInnerTexts()) {
        assert.match(date, /^\d{4}-\d{2}-\d{2}$/);
      }
      assert.match(await p.locator('main li[aria-current=step]').innerText(), /方案公示/);
      assert.match(await p.locator('main').innerText(), /123,456\.78/);
      assert.ok(!(await p.locator('main').innerText()).includes(NOTE), 'notes stay with owners and staff');
      assert.equal(await p.locator('main form.elevator-complete').count(), 0);
      await check(p, `/elevator/${id} [public, phone]`);
    } finally {
      await context.close();
    }

    assert.deepEqual(problems, [], problems.join('\n'));
  }, { bypassCSP: true });
