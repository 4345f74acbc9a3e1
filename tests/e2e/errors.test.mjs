// Error messages in the visitor's language: the error page reads in Chinese for a zh-CN browser and in English for
// an English one (the text comes from templates/i18n/errors/zh-CN.json; the JSON API keeps the English).

import assert from 'node:assert/strict';
import { DESKTOP, test, url } from './lib.mjs';

test('errors: the error page speaks the browser\'s language', async ({ page, browser }) => {
  const zh = await page.goto(url('/cases/987654'));
  assert.equal(zh.status(), 404);
  await page.locator('main').getByText('诉求 987654 不存在').waitFor();

  const enContext = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
  try {
    const en = await enContext.newPage();
    const response = await en.goto(url('/cases/987654'));
    assert.equal(response.status(), 404);
    await en.locator('main').getByText('no case 987654').waitFor();
    assert.ok(!(await en.locator('main').innerText()).includes('诉求'), 'no Chinese on the English page');
    const api = await en.request.get(url('/api/v1/cases/987654'), { headers: { 'Accept-Language': 'zh-CN' } });
    const body = await api.json();
    assert.match(body.error.message, /^[\x20-\x7e]+$/, `the API message stays English: ${body.error.message}`);
  } finally {
    await enContext.close();
  }
});
