// Progressive enhancement for the propose form: while the title is typed,
// ask the board for published proposals like it and list them under the
// title in a polite live region. Without this script the form's "check
// these first" step shows the same list after the form is sent.
const box = document.getElementById('similar')
const title = document.getElementById('title')

if (box && title && window.fetch) {
  let timer = 0
  let asked = ''
  let controller = null

  const show = (items) => {
    box.replaceChildren()
    if (items.length === 0) return
    const heading = document.createElement('h2')
    heading.className = 'govuk-heading-s govuk-!-margin-bottom-1'
    heading.textContent = box.dataset.heading
    const hint = document.createElement('p')
    hint.className = 'govuk-hint'
    hint.textContent = box.dataset.hint
    const list = document.createElement('ul')
    list.className = 'govuk-list'
    for (const item of items) {
      const li = document.createElement('li')
      const a = document.createElement('a')
      a.className = 'govuk-link'
      a.href = item.url
      a.textContent = item.title
      li.append(a, ' (' + item.supporters + ')')
      list.append(li)
    }
    box.append(heading, hint, list)
  }

  const ask = async () => {
    const q = title.value.trim()
    if (q === asked) return
    asked = q
    if (q.length < 3) {
      show([])
      return
    }
    if (controller) controller.abort()
    controller = new AbortController()
    try {
      const resp = await fetch(box.dataset.url + '?q=' + encodeURIComponent(q), {
        headers: { Accept: 'application/json' },
        signal: controller.signal
      })
      if (!resp.ok) return
      const data = await resp.json()
      show(Array.isArray(data.proposals) ? data.proposals : [])
    } catch (e) {
      // Offline, aborted or refused: the check step still does the job.
    }
  }

  title.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(ask, 400)
  })
}
