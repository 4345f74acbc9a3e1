// The phone layout of every page the suite visits: the runner (e2e.mjs) notes each page any test opened, in any of
// its browser contexts, and runs this file last. The sweep opens each distinct page again (path with query, login,
// language; at most 120) with the cookies it was seen with, at 360 and 390 px wide, and finds sideways scroll, text
// wrapped one character per line, and serious or critical axe-core findings (lib.mjs: layoutSweep).

import assert from 'node:assert/strict';
import { SWEEP_VIEWPORTS, VERBOSE, layoutSweep, test } from './lib.mjs';

const CAP = 120;

test(`layout: every page the suite visited, at ${SWEEP_VIEWPORTS.map((v) => v.width).join(' and ')} px, fits, wraps words not characters, passes axe`, async ({ browser }) => {
  const { checked, distinct, problems, skipped } = await layoutSweep(browser, CAP);
  console.log(`  layout: ${checked.length} page(s) checked of ${distinct} distinct visited` +
    `${distinct > CAP ? ` (capped at ${CAP})` : ''}${skipped.length ? `, ${skipped.length} skipped` : ''}`);
  if (VERBOSE) for (const line of checked) console.log(`  layout: checked ${line}`);
  for (const line of skipped) console.log(`  layout: skipped ${line}`);
  assert.ok(distinct > 0, 'the tests run before this one visited no page (E2E_ONLY selected only the sweep?)');
  assert.ok(checked.length > 0, 'no visited page could be opened again');
  if (problems.length) {
    for (const line of problems) console.log(`  layout: ${line}`);
  }
  assert.ok(problems.length === 0, `${problems.length} problem(s) on ${checked.length} page(s) (all listed above):\n    ${problems.join('\n    ')}`);
}, { bypassCSP: true });
