// The home page at phone width (390 px): a resident sees the open ballot of their building in the ballots card and
// follows its link to vote; staff see their inbox link in the header and their inbox counts, and follow the link.
// The sign-out stays in the first screen of the phone.

import assert from 'node:assert/strict';
import { DEMO_PASSWORD, PHONE, RESIDENT, follow, overflowProblem, pathOf, signIn, test, url } from './lib.mjs';

async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
  await page.waitForLoadState('load');
}

// The sign-out button is visible without scrolling on the phone.
async function signOutInReach(page) {
  const box = await page.locator('header form.sign-out button').boundingBox();
  assert.ok(box, 'a sign-out button in the header');
  assert.ok(box.y + box.height <= PHONE.height && box.x + box.width <= PHONE.width, `sign-out at ${JSON.stringify(box)}`);
}

test('on a phone, a resident votes from the home page, and staff reach their inbox from the header', async ({ page }) => {
  await page.setViewportSize(PHONE);

  // resident1 owns a unit of 1号楼, whose elevator ballot is open.
  await signIn(page, 'resident1', DEMO_PASSWORD, '/');
  const card = page.locator('main #home-ballots');
  const ballot = card.locator('a[href^="/ballots/"]').first();
  await ballot.waitFor();
  assert.match(await ballot.innerText(), /加装电梯/);
  await signOutInReach(page);
  assert.equal(await page.locator('header a[href="/inbox"]').count(), 0, 'no inbox link for a resident');
  const problem = await overflowProblem(page, '/ [resident, phone]');
  assert.equal(problem, null, problem || '');
  await follow(page, ballot);
  assert.match(pathOf(page), /^\/ballots\/\d+$/);
  const vote = page.locator('main form.ballot-vote');
  await vote.getByLabel('同意', { exact: true }).check();
  await submit(page, vote.getByRole('button', { name: '提交表决票' }));
  assert.match(await page.locator('main .ballot-current').innerText(), /同意/);
  // Back home, the card says they voted.
  await page.goto(url('/'));
  assert.match(await page.locator('main #home-ballots').innerText(), /已投票/);
  await submit(page, page.locator('header form.sign-out button'));
  assert.equal(pathOf(page), '/');

  // Neighborhood staff: the inbox link in the header and the counts in the cases card.
  await signIn(page, RESIDENT, DEMO_PASSWORD, '/');
  await signOutInReach(page);
  const inboxes = page.locator('main #home-inboxes + ul.inbox-counts');
  assert.match(await inboxes.innerText(), /待办[\s\S]*已超期[\s\S]*今日到期/);
  const link = page.locator('header a[href="/inbox"]');
  assert.equal(await link.count(), 1, 'the inbox link');
  await follow(page, link);
  assert.match(pathOf(page), /^\/units\/\d+\/inbox$/);
});
