// Site-wide search at phone width (390 px): a visitor searches from the header's box, sees the hits with the words
// marked, and follows one to its page; the same words do not find a draft ballot for a visitor.

import assert from 'node:assert/strict';
import { PHONE, follow, overflowProblem, pathOf, test, url } from './lib.mjs';

test('on a phone, a visitor searches from the header and opens a hit', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto(url('/'));
  const box = page.locator('header form.site-search input[name="q"]');
  await box.fill('加装电梯');
  await Promise.all([page.waitForNavigation(), box.press('Enter')]);
  assert.equal(pathOf(page), '/search');
  const hits = page.locator('main ol.search-results > li');
  assert.ok((await hits.count()) > 0, 'at least one hit for 加装电梯');
  // The words are marked, as text: <mark> holds the query's characters.
  const marked = await hits.first().locator('mark').allInnerTexts();
  assert.ok(marked.join('').length > 0, 'a marked part in the first hit');
  for (const m of marked) assert.match(m, /^[加装电梯]+$/, `marked text ${m}`);
  const problem = await overflowProblem(page, '/search [phone]');
  assert.equal(problem, null, problem || '');
  const link = hits.first().locator('a').first();
  const href = await link.getAttribute('href');
  await follow(page, link);
  assert.equal(pathOf(page), href);

  // A query of punctuation only finds nothing and says so; nothing breaks.
  await page.goto(url('/search?q=' + encodeURIComponent('，。！')));
  assert.equal(await page.locator('main ol.search-results').count(), 0);
});
