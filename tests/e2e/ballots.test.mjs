// Ballots in the browser: staff create and open an elevator ballot for 1号楼, owners vote online, staff enter two
// paper ballots with their scanned sheets, the ballot closes, and the result page shows every figure the API
// reports; the pages pass axe and fit a phone.

import assert from 'node:assert/strict';
import { DEMO_PASSWORD, PHONE, RESIDENT, axeProblems, discoverTree, overflowProblem, pathOf, signIn, test, url }
  from './lib.mjs';

const SHEET = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

// A figure as the pages show it (src/web/number_format.h): the integer part grouped by three, "1,234.50".
function grouped(figure) {
  return String(figure).replace(/^(-?)(\d+)/, (_, sign, digits) => sign + digits.replace(/\B(?=(\d{3})+$)/g, ','));
}

// A datetime-local value two days ahead, in Asia/Shanghai.
function inTwoDays() {
  return new Date(Date.now() + 2 * 86400e3 + 8 * 3600e3).toISOString().slice(0, 16);
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
  await page.waitForLoadState('load');
}

test('owners vote online, staff enter two paper ballots, the ballot closes, the result shows the figures',
  async ({ page, browser }) => {
    const tree = await discoverTree(browser);
    const problems = [];

    // Staff (nb-huayang, neighborhood staff) create the ballot from the neighborhood's ballot list.
    await signIn(page, RESIDENT, DEMO_PASSWORD, '/');
    await page.goto(url(`/areas/${tree.neighborhood}`));
    await submit(page, page.locator('main').getByRole('link', { name: '业主表决' }));
    assert.equal(pathOf(page), `/areas/${tree.neighborhood}/ballots`);
    const form = page.locator('main form[action="/ballots"]');
    await form.getByLabel('表决事项名称').fill('1号楼加装电梯（浏览器测试）');
    await form.getByLabel('表决范围').selectOption({ label: '1号楼' });
    await form.getByLabel('表决截止时间').fill(inTwoDays());
    await submit(page, form.getByRole('button', { name: '保存为草稿' }));
    const m = /^\/ballots\/(\d+)$/.exec(pathOf(page));
    assert.ok(m, `the new ballot's page, at ${page.url()}`);
    const id = Number(m[1]);
    assert.match(await page.locator('main .ballot-state').innerText(), /草稿/);
    await submit(page, page.locator('main').getByRole('button', { name: '开始表决' }));
    assert.match(await page.locator('main .ballot-state').innerText(), /表决中/);

    // Owners vote online, each in a browser of their own; owner1 changes their mind.
    const votes = [['resident1', '同意'], ['owner1', '反对'], ['owner2', '同意'], ['owner1', '同意']];
    for (const [login, choice] of votes) {
      const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', bypassCSP: true });
      context.setDefaultTimeout(15000);
      try {
        const p = await context.newPage();
        await signIn(p, login, DEMO_PASSWORD, '/');
        await p.goto(url(`/ballots/${id}`));
        const vote = p.locator('main form.ballot-vote');
        await vote.getByLabel(choice, { exact: true }).check();
        await submit(p, vote.getByRole('button', { name: '提交表决票' }));
        assert.match(await p.locator('main .ballot-current').innerText(), new RegExp(choice), `${login}'s ballot`);
        if (login === 'resident1') {
          for (const line of await axeProblems(p, `/ballots/${id} [owner, phone]`)) problems.push(line);
          const overflow = await overflowProblem(p, `/ballots/${id} [owner, phone]`);
          if (overflow) problems.push(overflow);
        }
      } finally {
        await context.close();
      }
    }

    // Before closing nobody sees a count, staff included.
    const hidden = await page.request.get(url(`/api/v1/ballots/${id}/result`));
    assert.equal(hidden.status(), 409);

    // Staff enter two paper ballots, with the scanned sheets, for the last two owners on the list.
    await page.goto(url(`/ballots/${id}`));
    const options = await page.locator('#entry-voter option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(options.length >= 5, `the building has at least five voters (${options.length})`);
    for (const [voter, choice] of [[options.at(-1), '同意'], [options.at(-2), '弃权']]) {
      const entry = page.locator('main form.ballot-entry');
      await entry.getByLabel('业主（房屋）').selectOption(voter);
      await entry.getByLabel('纸质表决票').check();
      await entry.getByRole('group', { name: '意见' }).getByLabel(choice, { exact: true }).check();
      await entry.getByLabel('表决票扫描件或委托书（图片或 PDF）').setInputFiles(
        { name: 'sheet.pdf', mimeType: 'application/pdf', buffer: SHEET });
      await submit(page, entry.getByRole('button', { name: '录入' }));
      assert.match(await page.locator('main .notice').innerText(), /表决票已录入/);
    }
    for (const line of await axeProblems(page, `/ballots/${id} [staff]`)) problems.push(line);

    // Close (early: the box naming the consequence is ticked first): the result page, with every figure the API
    // reports.
    const close = page.locator('main form.ballot-close');
    await close.getByLabel('我知道：提前截止后不能再投票，结果立即公布').check();
    await submit(page, close.getByRole('button', { name: '结束表决并计票' }));
    assert.equal(pathOf(page), `/ballots/${id}/result`);
    const result = await (await page.request.get(url(`/api/v1/ballots/${id}/result`))).json();
    assert.equal(result.participating.heads, 5, 'three owners online and two on paper took part');
    assert.deepEqual(result.ballots_by_channel, { online: 3, paper: 2, proxy: 0 });
    const main = await page.locator('main').innerText();
    assert.match(main, new RegExp(result.passed ? '通过' : '未通过'));
    for (const f of [result.total, result.participating, result.consenting]) {
      assert.ok(main.includes(`${grouped(f.area)} m²`), `the page shows ${grouped(f.area)} m²`);
      assert.ok(main.includes(`${grouped(f.heads)} 人`), `the page shows ${grouped(f.heads)} 人`);
    }
    const rows = page.locator('main table.ballot-conditions tbody tr');
    assert.equal(await rows.count(), 4, 'four conditions');
    for (let i = 0; i < 4; i += 1) {
      const c = result.conditions[i];
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      assert.equal(cells[0], grouped(c.numerator), `condition ${i} numerator`);
      assert.equal(cells[1], grouped(c.denominator), `condition ${i} denominator`);
      assert.equal(cells[2], `${c.strict ? '>' : '≥'} ${c.threshold}`, `condition ${i} threshold`);
    }
    assert.match(main, /第二百七十八条/);
    for (const line of await axeProblems(page, `/ballots/${id}/result`)) problems.push(line);
    await page.setViewportSize(PHONE);
    const overflow = await overflowProblem(page, `/ballots/${id}/result [phone]`);
    if (overflow) problems.push(overflow);

    // The notice: masked names, and an objection recorded.
    await submit(page, page.locator('main').getByRole('link', { name: '结果公示' }));
    const noticeText = await page.locator('main table.ballot-notice').innerText();
    assert.match(noticeText, /\*/, 'owners\' names are masked');
    await page.locator('main').getByLabel('对公示结果提出异议').fill('3楼的表决票未送达');
    await submit(page, page.locator('main').getByRole('button', { name: '提交异议' }));
    assert.match(await page.locator('main .ballot-objections').innerText(), /3楼的表决票未送达/);
    for (const line of await axeProblems(page, `/ballots/${id}/notice [phone]`)) problems.push(line);

    assert.deepEqual(problems, [], problems.join('\n'));
  }, { bypassCSP: true });
