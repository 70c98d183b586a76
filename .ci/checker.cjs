// Preloaded into the sitecheck tools (NODE_OPTIONS=--require .ci/checker.cjs)
// to change how they launch their browser, which they have no option for:
//
// - POLIS_VIEWPORT=390x844 makes every browser they launch that size.
//   a11y-check.sh always checks at 1280 px, but readers are on phones
//   (issue 21: tables that only a 390 px window shows to be unreachable by
//   keyboard), so CI runs axe a second time, at phone width, through this.
// - POLIS_BYPASS_CSP=1 lets the checker inject axe-core into pages whose
//   Content-Security-Policy (`[deploy] csp = true`, issue 19) forbids inline
//   scripts, as it must: the policy is the site's, the script the checker's.
//   Playwright's `bypassCSP` is made for this; readers' browsers are not
//   affected, and tests/browser/csp.rs checks the policy itself.
'use strict';
const Module = require('module');

const want = /^(\d+)x(\d+)$/.exec(process.env.POLIS_VIEWPORT || '');
const bypassCsp = process.env.POLIS_BYPASS_CSP === '1';

const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exported = load.apply(this, arguments);
  if (want && /(^|\/)browser\.cjs$/.test(request) && exported
    && typeof exported.launch === 'function' && !exported.launch.polisViewport) {
    const [width, height] = [parseInt(want[1], 10), parseInt(want[2], 10)];
    const launch = exported.launch;
    exported.launch = Object.assign(
      (options = {}) => launch({ ...options, width, height }),
      { polisViewport: true },
    );
  }
  if (bypassCsp && /(^|\/)playwright-core$/.test(request) && exported && exported.chromium
    && !exported.chromium.polisBypassCsp) {
    const chromium = exported.chromium;
    const persistent = chromium.launchPersistentContext.bind(chromium);
    chromium.launchPersistentContext = (dir, options = {}) =>
      persistent(dir, { ...options, bypassCSP: true });
    chromium.polisBypassCsp = true;
  }
  return exported;
};
