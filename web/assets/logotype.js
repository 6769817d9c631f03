// Writes the GOV.UK logotype as a file: GOV.UK Frontend ships it only inside
// its header markup (the "rebrand" example). White, for the blue header.
// Usage: node logotype.js OUTPUT
const fs = require('fs')
const header = require('govuk-frontend/dist/govuk/components/header/fixtures.json')
const example = header.fixtures.find((f) => f.name === 'rebrand')
const svg = example && example.html.match(/<svg[\s\S]*?<\/svg>/)
if (!svg) {
  console.error('logotype.js: no logotype found in the header fixtures')
  process.exit(1)
}
let out = svg[0].replace(/currentcolor/g, '#ffffff')
if (!/xmlns=/.test(out)) {
  out = out.replace('<svg', '<svg xmlns="http://www.w3.org/2000/svg"')
}
fs.writeFileSync(process.argv[2], out)
