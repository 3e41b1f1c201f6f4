// The teachers' part of the e2e run (issue 14): a tool that runs out of memory and one that
// refuses a file are explained in Swedish; "Kör igen" in one click from Mina körningar; a star
// puts a tool under "Favoriter" and the tools the teacher ran are under "Senast använda"; a
// tool that reports progress shows a determinate bar with its stage text while it runs. The
// teacher stays signed in for the class-mode part (classes.mjs).
import assert from 'node:assert/strict'

const RUN_TIMEOUT = 90_000

// Eats memory until the container's limit (1 GiB by default) stops it.
const MEMORY_HOG = `def run_tool(input_dir, output_dir):
    hog = []
    while True:
        hog.append(bytearray(64 * 1024 * 1024))
`

const REFUSING = `from skriptoteket import ToolUserError


def run_tool(input_dir, output_dir):
    raise ToolUserError("Filen saknar kolumnen Betyg. Lägg till den och kör igen.")
`

// Reports how far it has come: twelve steps, half a second each.
const PROGRESSING = `import time

from skriptoteket import markdown, progress


def run_tool(input_dir, output_dir):
    for i in range(1, 13):
        progress(i, 12, f"Elev {i} av 12")
        time.sleep(0.5)
    return {"outputs": [markdown("Alla 12 elever är genomgångna.")]}
`

async function api(base, token, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`)
  return text ? JSON.parse(text) : null
}

/** Signs in through the API, once for all the tools (sign-ins are limited to 20 a minute per address). */
async function apiToken(base, account) {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  })
  assert.equal(login.status, 200, `API sign-in of ${account.email}`)
  return (await login.json()).access_token
}

/** Creates and publishes a tool through the API as an admin (author and reviewer). */
async function publishTool(base, token, { title, summary, source }) {
  const created = await api(base, token, 'POST', '/api/admin/tools', { title, summary })
  const [categories, professions] = await Promise.all([api(base, token, 'GET', '/api/categories'), api(base, token, 'GET', '/api/professions')])
  await api(base, token, 'PATCH', `/api/admin/tools/${created.tool.id}`, { category_ids: [categories[0].id], profession_ids: [professions[0].id] })
  const draft = created.draft
  await api(base, token, 'PUT', `/api/admin/tool-versions/${draft.id}`, { source, expected_revision: draft.revision })
  await api(base, token, 'POST', `/api/admin/tool-versions/${draft.id}/submit-review`)
  await api(base, token, 'POST', `/api/admin/tool-versions/${draft.id}/publish`)
}

/**
 * @param {object} ctx
 * @param {import('playwright-core').Page} ctx.page
 */
export async function teacherFlows({ page, base, step, screenshot, signIn, publisher, teacher }) {
  const main = page.getByRole('main')
  const runDone = (status) => page.locator(`[data-run-status="${status}"]`).first().waitFor({ timeout: RUN_TIMEOUT })

  const token = await apiToken(base, publisher)
  await publishTool(base, token, { title: 'Minnesslukaren', summary: 'Läser in allt på en gång.', source: MEMORY_HOG })
  await publishTool(base, token, { title: 'Kolumnkollen', summary: 'Kontrollerar att betygskolumnen finns.', source: REFUSING })
  await publishTool(base, token, { title: 'Elevgenomgången', summary: 'Går igenom klassens elever en i taget.', source: PROGRESSING })

  await step('the catalog shows the tools the teacher ran under "Senast använda", and a star adds a favourite', async () => {
    await page.goto(`${base}/login`)
    await signIn(page, teacher.email, teacher.password)
    await page.getByRole('heading', { name: 'Katalog', level: 1 }).waitFor()
    const recent = main.locator('[data-list="recent"]')
    await recent.getByRole('link', { name: 'Närvarokoll' }).waitFor()
    assert.deepEqual(await recent.locator('h3').allInnerTexts(), ['Närvarokoll', 'Gruppindelning', 'Betygsöversikt'], 'most recent first')
    await main.getByText('Stjärnmärk verktyg du använder ofta').waitFor()
    const all = main.locator('[data-list="all"]')
    await all.getByRole('button', { name: 'Lägg till Gruppindelning i favoriter' }).click()
    await all.getByRole('button', { name: 'Ta bort Gruppindelning från favoriter' }).waitFor()
    await main.locator('[data-list="favorites"]').getByRole('link', { name: 'Gruppindelning' }).waitFor()
    await screenshot(page, 'catalog-favorites-recent')
    await page.reload()
    await main.locator('[data-list="favorites"]').getByRole('link', { name: 'Gruppindelning' }).waitFor()
  })

  await step('the tool page has the star too', async () => {
    await main.locator('[data-list="all"]').getByRole('link', { name: 'Kolumnkollen' }).click()
    await page.getByRole('heading', { name: 'Kolumnkollen', level: 1 }).waitFor()
    const star = main.getByRole('button', { name: 'Lägg till Kolumnkollen i favoriter' })
    assert.equal(await star.getAttribute('aria-pressed'), 'false')
    await star.click()
    await main.getByRole('button', { name: 'Ta bort Kolumnkollen från favoriter' }).waitFor()
    await screenshot(page, 'tool-page-favorite', { fullPage: false })
  })

  await step('a tool\'s refusal shows its own message with a Swedish heading', async () => {
    await main.getByRole('button', { name: 'Kör', exact: true }).click()
    await page.waitForURL(/\/runs\//)
    await runDone('failed')
    const notice = main.locator('[data-error-code="tool_error"]')
    await notice.getByText('Verktyget kunde inte använda det du skickade').waitFor()
    await notice.getByText('Filen saknar kolumnen Betyg. Lägg till den och kör igen.').waitFor()
    await screenshot(page, 'run-tool-error', { fullPage: false })
  })

  await step('running out of memory is explained in Swedish, with what to do next', async () => {
    await page.goto(`${base}/tools/minnesslukaren`)
    await page.getByRole('heading', { name: 'Minnesslukaren', level: 1 }).waitFor()
    await main.getByRole('button', { name: 'Kör', exact: true }).click()
    await page.waitForURL(/\/runs\//)
    await runDone('failed')
    const notice = main.locator('[data-error-code="out_of_memory"]')
    await notice.getByText('Filen är för stor för verktyget').waitFor()
    assert.match(await notice.innerText(), /behövde mer än de 1024 MB minne det får använda och stoppades — prova att dela upp filen/)
    const text = await main.innerText()
    assert.doesNotMatch(text, /out of memory|The tool|was stopped/i, 'no English sentence reaches a teacher')
    assert.equal(await main.getByText('Teknisk information').count(), 0, 'the technical detail is for authors')
    await screenshot(page, 'run-out-of-memory', { fullPage: false })
  })

  await step('a tool that reports progress shows a determinate bar with its stage while it runs', async () => {
    await page.goto(`${base}/tools/elevgenomgangen`)
    await page.getByRole('heading', { name: 'Elevgenomgången', level: 1 }).waitFor()
    await main.getByRole('button', { name: 'Kör', exact: true }).click()
    await page.waitForURL(/\/runs\//)
    const running = main.locator('[data-run-status="running"]')
    const bar = running.getByRole('progressbar', { name: 'Hur långt verktyget har kommit' })
    // Far enough that the fill shows, with steps left so the run is still going, and the fill's
    // width transition settled on the value the text states.
    await page.waitForFunction(
      () => {
        const track = document.querySelector('[data-run-status="running"] [role="progressbar"][data-determinate="true"]')
        const fill = track?.querySelector('.run-progress__fill')
        if (!fill) return false
        const now = Number(track.getAttribute('aria-valuenow'))
        const shown = (fill.getBoundingClientRect().width / track.getBoundingClientRect().width) * 100
        return now >= 40 && now <= 80 && Math.abs(shown - now) < 1.5
      },
      null,
      { timeout: RUN_TIMEOUT },
    )
    const text = await running.locator('.run-progress__text').innerText()
    assert.match(text, /Elev \d+ av 12/, 'the stage text')
    assert.match(text, /\d+ av 12 \(\d+ %\)/, 'how far, with the percentage')
    assert.match(text, /Tid hittills: /, 'the time so far')
    assert.match(await bar.getAttribute('aria-valuetext'), /^Elev \d+ av 12, \d+ av 12 \(\d+ %\)$/)
    await screenshot(page, 'run-progress', { fullPage: false })
    await runDone('succeeded')
    await main.getByText('Alla 12 elever är genomgångna.').waitFor()
    assert.equal(await main.getByRole('progressbar').count(), 0, 'no bar once the run is done')
  })

  await step('"Mina körningar" says why in a few words and runs an earlier run again in one click', async () => {
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina körningar' }).click()
    await page.getByRole('heading', { name: 'Mina körningar', level: 1 }).waitFor()
    const oom = main.getByRole('row').filter({ hasText: 'Minnesslukaren' })
    await oom.getByText('Fick slut på minne').waitFor()
    await main.getByRole('row').filter({ hasText: 'Kolumnkollen' }).getByText('Verktyget svarade med ett meddelande').waitFor()
    await screenshot(page, 'my-runs-reasons')
    const earlier = main.getByRole('row').filter({ hasText: 'Betygsöversikt' }).first()
    await earlier.getByRole('button', { name: 'Kör Betygsöversikt igen' }).click()
    await page.waitForURL(/\/runs\//)
    await runDone('succeeded')
    await main.getByRole('table', { name: /Sammanfattning/ }).waitFor()
    assert.match(await main.locator('.run-status__files').innerText(), /\.csv/, 'the same files, without a new upload')
  })
}
