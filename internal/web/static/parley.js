// Progressive enhancement only: every page works without this script.
// Loaded as <script type="module" src="/static/parley.js">, so it runs only in
// browsers that GOV.UK Frontend supports.
import { initAll } from '/static/dist/govuk-frontend.min.js'

// Normally set by an inline script at the top of <body>; set it here too so
// the components initialise even when a page leaves that script out.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
