// Preloaded into the sitecheck tools (NODE_OPTIONS=--require .ci/viewport.cjs)
// to run them at another window size: POLIS_VIEWPORT=390x844 makes every
// browser they launch that size. a11y-check.sh has no width option and
// always checks at 1280 px, but readers are on phones (issue 21: tables that
// only a 390 px window shows to be unreachable by keyboard), so CI runs axe a
// second time, at phone width, through this.
'use strict';
const Module = require('module');

const want = /^(\d+)x(\d+)$/.exec(process.env.POLIS_VIEWPORT || '');
if (want) {
  const [width, height] = [parseInt(want[1], 10), parseInt(want[2], 10)];
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const exported = load.apply(this, arguments);
    if (/(^|\/)browser\.cjs$/.test(request) && exported && typeof exported.launch === 'function'
      && !exported.launch.polisViewport) {
      const launch = exported.launch;
      exported.launch = Object.assign(
        (options = {}) => launch({ ...options, width, height }),
        { polisViewport: true },
      );
    }
    return exported;
  };
}
