// Package e2e holds Parley's end-to-end tests: the real application served
// on loopback and driven through headless Chromium (sign-in journeys by
// mouse, by keyboard only and without JavaScript; axe-core on every page in
// both languages and brands), plus plain HTTP checks of cross-origin POSTs.
//
// Run `make assets` first: the pages need the built CSS and the axe test
// reads e2e/axe/axe.min.js. Browser tests skip when /usr/bin/chromium is
// missing, except in CI (CI set), where they fail.
package e2e
