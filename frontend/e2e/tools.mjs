// The tools part of the e2e run: a teacher runs the seeded example tools (usage instructions
// open on the first visit and folded after, upload, live run, table, artifact download,
// ⚙ settings, "run again with the same files", next actions twice, history), a contributor
// creates a tool, edits (usage instructions included) and sandbox-runs the draft, submits it,
// and an admin gives it a category and profession and publishes it, after which it is in the
// catalog and shows its instructions, sanitised, to the teacher.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const RUN_TIMEOUT = 90_000

const COMMA_CSV = 'elev,matte,svenska,engelska\nAnna,14,17,12\nBo,9,11,15\nCilla,18,16,19\nDavid,12,,14\n'
const SEMICOLON_CSV = 'elev;fysik;kemi\nAnna;13;15\nBo;10;8\nCilla;17;19\n'

const NEW_TOOL_SOURCE = `import time

from skriptoteket import html, input_files, inputs, json_output, markdown, notice, table, vega_lite


def run_tool(input_dir, output_dir):
    klass = inputs().get("klass") or "okänd klass"
    files = input_files()
    print(f"Räknar närvaro för {klass}")
    for day in range(1, 5):
        time.sleep(0.4)
        print(f"Dag {day} klar")
    rows = [{"dag": d, "narvarande": n} for d, n in [("mån", 24), ("tis", 22), ("ons", 25), ("tor", 19), ("fre", 21)]]
    return {
        "outputs": [
            markdown(f"## Närvaro för {klass}\\nUnderlaget är **{len(files)}** filer. <script>alert(1)</script>"),
            table(columns=[{"key": "dag", "label": "Dag"}, {"key": "narvarande", "label": "Närvarande"}], rows=rows, title="Veckan"),
            vega_lite({
                "data": {"values": rows},
                "mark": "bar",
                "encoding": {
                    "x": {"field": "dag", "type": "nominal", "sort": None, "title": "Dag"},
                    "y": {"field": "narvarande", "type": "quantitative", "title": "Närvarande"},
                },
                "width": 320,
                "height": 160,
            }),
            json_output({"klass": klass, "filer": [f["name"] for f in files], "snitt": 22.2}, title="Sammanställning"),
            html("<p>Rapporten som <b>HTML</b>.</p><script>document.body.innerHTML = 'hackad'</script>"),
            notice("info", "Testkörningen fungerar."),
        ]
    }
`

// Instructions with markup that must not survive the sanitiser (the page title would change).
const USAGE_MD =
  'Fyll i **klassen** och ladda upp veckans närvarolistor.\n\n' +
  '<img src=x onerror="document.title=\'hackad\'"><script>document.title = \'hackad\'</script>'

const BAD_SOURCE = 'def run_tool(input_dir, output_dir:\n    return {}\n'

const INPUT_SCHEMA_BAD = JSON.stringify(
  { files: { accept: ['.csv'], min: 0, max: 3, label: 'Närvarolistor' }, fields: [{ name: '1klass', kind: 'string', label: 'Klass', required: true }] },
  null,
  2,
)
const INPUT_SCHEMA = INPUT_SCHEMA_BAD.replace('"1klass"', '"klass"')

/** Creates the accounts this part needs, through the API with the superuser's bearer token. */
export async function createAccounts(base, superuser, accounts) {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(superuser),
  })
  assert.equal(login.status, 200, 'superuser login for setup')
  const { access_token: token } = await login.json()
  for (const account of Object.values(accounts)) {
    const response = await fetch(`${base}/api/admin/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ email: account.email, display_name: account.name, role: account.role, password: account.password }),
    })
    assert.equal(response.status, 201, `creating ${account.email}: ${await response.text()}`)
  }
}

/**
 * @param {object} ctx
 * @param {import('playwright-core').Page} ctx.page
 */
export async function toolFlows({ page, base, step, screenshot, signIn, signOut, accounts, workDir }) {
  const { teacher, contributor, admin } = accounts
  const commaCsv = join(workDir, 'resultat-ht.csv')
  const semicolonCsv = join(workDir, 'resultat-vt.csv')
  writeFileSync(commaCsv, COMMA_CSV)
  writeFileSync(semicolonCsv, SEMICOLON_CSV)
  const main = page.getByRole('main')
  // Runs are followed over server-sent events; count the streams the page opens.
  let eventStreams = 0
  page.on('request', (request) => {
    if (/^\/api\/runs\/[^/]+\/events$/.test(new URL(request.url()).pathname)) eventStreams += 1
  })
  const runDone = (status = 'succeeded') => page.locator(`[data-run-status="${status}"]`).first().waitFor({ timeout: RUN_TIMEOUT })
  const runId = () => new URL(page.url()).pathname.split('/').pop()
  // The statuses of "I have seen the usage instructions" calls, in order.
  const usageSeen = []
  page.on('response', (response) => {
    const { pathname } = new URL(response.url())
    if (response.request().method() === 'PUT' && pathname.endsWith('/usage-instructions/seen')) usageSeen.push(`${pathname.split('/')[3]} ${response.status()}`)
  })
  const usagePanel = main.locator('details[data-usage-instructions]')

  await step('a teacher finds the example tools in the catalog, by search and by category', async () => {
    await page.goto(`${base}/login`)
    await signIn(page, teacher.email, teacher.password)
    await page.getByRole('heading', { name: 'Katalog', level: 1 }).waitFor()
    await main.getByRole('link', { name: 'Betygsöversikt' }).waitFor()
    await main.getByRole('link', { name: 'Gruppindelning' }).waitFor()
    await screenshot(page, 'catalog')
    await page.getByLabel('Sök verktyg').fill('grupp')
    await page.waitForURL(/q=grupp/)
    await main.getByRole('link', { name: 'Betygsöversikt' }).waitFor({ state: 'detached' })
    assert.equal(await main.getByRole('article').count(), 1)
    await page.getByLabel('Sök verktyg').fill('finns-inte')
    await page.getByRole('heading', { name: 'Inga verktyg matchar' }).waitFor()
    await screenshot(page, 'catalog-no-matches')
    await page.getByRole('button', { name: 'Visa alla verktyg' }).click()
    await page.getByLabel('Kategori').selectOption('administration')
    await main.getByRole('link', { name: 'Gruppindelning' }).waitFor({ state: 'detached' })
    await main.getByRole('link', { name: 'Betygsöversikt' }).click()
  })

  await step('"Så använder du verktyget" is open on the first visit to a tool and folded on the next', async () => {
    await page.getByRole('heading', { name: 'Betygsöversikt', level: 1 }).waitFor()
    await usagePanel.getByText('Exportera resultaten som').waitFor()
    assert.equal(await usagePanel.locator('summary').innerText(), 'Så använder du verktyget')
    assert.equal(await usagePanel.evaluate((el) => el.open), true)
    await usagePanel.locator('.markdown-output strong').first().waitFor()
    for (const until = Date.now() + 10_000; usageSeen.length === 0 && Date.now() < until; ) await page.waitForTimeout(50)
    assert.deepEqual(usageSeen, ['betygsoversikt 204'], 'showing them open marks them seen, once')
    await screenshot(page, 'tool-page-usage-open')
    await page.reload()
    await page.getByRole('heading', { name: 'Betygsöversikt', level: 1 }).waitFor()
    await usagePanel.locator('summary').waitFor()
    assert.equal(await usagePanel.evaluate((el) => el.open), false)
    assert.equal(await usagePanel.getByText('Exportera resultaten som').isVisible(), false)
    await screenshot(page, 'tool-page-usage-folded')
    await usagePanel.locator('summary').click()
    await usagePanel.getByText('Exportera resultaten som').waitFor()
    await usagePanel.locator('summary').click()
    assert.deepEqual(usageSeen, ['betygsoversikt 204'], 'a folded panel is not marked again')
  })

  await step('the tool page states the upload limits before anything is chosen, and checks them', async () => {
    await page.getByRole('heading', { name: 'Betygsöversikt', level: 1 }).waitFor()
    await main.getByText('Filtyper: .csv').waitFor()
    await main.getByText('Högst 20 MB').waitFor()
    await screenshot(page, 'tool-page')
    await main.getByRole('button', { name: 'Kör', exact: true }).click()
    await main.getByText('Välj en fil.').first().waitFor()
    await page.locator('input[type="file"]').setInputFiles({ name: 'bild.png', mimeType: 'image/png', buffer: Buffer.from('png') })
    await main.getByText('”bild.png” har fel filtyp. Verktyget tar: .csv.').first().waitFor()
    await page.locator('input[type="file"]').setInputFiles(commaCsv)
    await main.getByText('resultat-ht.csv').waitFor()
    await screenshot(page, 'tool-page-file-chosen')
  })

  let firstRun = ''
  await step('KÖR: the run is followed live until the table shows', async () => {
    await main.getByRole('button', { name: 'Kör', exact: true }).click()
    await page.waitForURL(/\/runs\//)
    firstRun = runId()
    await runDone()
    const table = main.getByRole('table', { name: /Sammanfattning/ })
    await table.waitFor()
    assert.match(await table.innerText(), /matte[\s\S]*svenska[\s\S]*engelska/)
    await main.getByText('Sammanfattningen finns också som Excel-fil att ladda ner.').waitFor()
    await screenshot(page, 'run-table')
    await table.getByRole('button', { name: 'Medel' }).click()
    assert.equal(await table.getByRole('columnheader', { name: 'Medel' }).getAttribute('aria-sort'), 'ascending')
    await table.getByRole('button', { name: 'Medel' }).click()
    assert.equal(await table.getByRole('columnheader', { name: 'Medel' }).getAttribute('aria-sort'), 'descending')
  })

  await step('the Excel artifact downloads', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), main.getByRole('link', { name: /betygsoversikt\.xlsx/ }).click()])
    assert.equal(download.suggestedFilename(), 'betygsoversikt.xlsx')
    const file = await download.path()
    const bytes = readFileSync(file)
    assert.ok(bytes.length > 1000, `artifact has ${bytes.length} bytes`)
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an xlsx is a zip file')
  })

  await step('⚙ settings: the separator ";" is saved and the next run reads a semicolon file with it', async () => {
    await main.getByRole('link', { name: '← Betygsöversikt' }).click()
    await page.getByRole('button', { name: 'Inställningar' }).click()
    const dialog = page.getByRole('dialog', { name: 'Inställningar för Betygsöversikt' })
    await dialog.getByLabel('Avgränsare').selectOption(';')
    await screenshot(page, 'settings-dialog')
    await dialog.getByRole('button', { name: 'Spara inställningar' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByText('Inställningarna är sparade.').waitFor()
    await page.locator('input[type="file"]').setInputFiles(semicolonCsv)
    await main.getByRole('button', { name: 'Kör', exact: true }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(firstRun))
    await runDone()
    const text = await main.getByRole('table', { name: /Sammanfattning/ }).innerText()
    assert.match(text, /fysik[\s\S]*kemi/, 'the semicolon file was split into its columns')
  })

  await step('"Kör igen med samma filer" starts the same run in one click; "Ändra och kör igen" prefills the form', async () => {
    const before = runId()
    await main.getByRole('button', { name: 'Kör igen med samma filer' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(before))
    await runDone()
    assert.match(await main.locator('.run-status__files').innerText(), /resultat-vt\.csv/)
    assert.match(await main.getByRole('table', { name: /Sammanfattning/ }).innerText(), /fysik[\s\S]*kemi/, 'the same settings')
    await main.getByRole('link', { name: 'Ändra och kör igen' }).click()
    await page.waitForURL(/\/tools\/betygsoversikt\?reuse=/)
    await main.getByText('Samma fil som förra gången:').waitFor()
    await main.getByText('resultat-vt.csv').waitFor()
    await screenshot(page, 'tool-page-reuse')
    await main.getByRole('button', { name: 'Kör', exact: true }).click()
    await page.waitForURL(/\/runs\//)
    await runDone()
    assert.match(await main.locator('.run-status__files').innerText(), /resultat-vt\.csv/)
  })

  let firstStep = ''
  await step('an interactive tool: names in, then a next action answered twice', async () => {
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Katalog' }).click()
    await main.getByRole('link', { name: 'Gruppindelning' }).click()
    await page.getByRole('heading', { name: 'Gruppindelning', level: 1 }).waitFor()
    await main.getByLabel(/^Namn/).fill('Alva\nBruno\nCelia\nDino\nEbba\nFilip')
    await main.getByRole('button', { name: 'Kör', exact: true }).click()
    await page.waitForURL(/\/runs\//)
    firstStep = runId()
    await runDone()
    await main.getByText('6 elever inlästa').waitFor()
    const form = main.getByRole('form', { name: 'Dela in i grupper' })
    assert.equal(await form.getByLabel('Elever per grupp').inputValue(), '3')
    await form.getByLabel('Elever per grupp').fill('11')
    await form.getByRole('button', { name: 'Dela in i grupper' }).click()
    await form.getByText('Får vara högst 10.').waitFor()
    await screenshot(page, 'run-next-action')
    await form.getByLabel('Elever per grupp').fill('2')
    await form.getByRole('button', { name: 'Dela in i grupper' }).click()
    await page.waitForURL((url) => !url.pathname.endsWith(firstStep))
    await runDone()
    await main.getByRole('heading', { name: '3 grupper' }).waitFor()
    assert.match(await main.getByRole('table').innerText(), /Grupp 3/)
    await screenshot(page, 'run-next-action-answered')
    const secondStep = runId()
    const again = main.getByRole('form', { name: 'Dela in i grupper' })
    assert.equal(await again.getByLabel('Elever per grupp').inputValue(), '2')
    await again.getByLabel('Elever per grupp').fill('3')
    await again.getByRole('button', { name: 'Dela in i grupper' }).click()
    await page.waitForURL((url) => !url.pathname.endsWith(secondStep))
    await runDone()
    await main.getByRole('heading', { name: '2 grupper' }).waitFor()
  })

  await step('an answered step refuses a second answer with a clear message', async () => {
    await page.goto(`${base}/runs/${firstStep}`)
    await runDone()
    const form = main.getByRole('form', { name: 'Dela in i grupper' })
    await form.getByRole('button', { name: 'Dela in i grupper' }).click()
    await form.getByText('Det här steget är redan besvarat.', { exact: false }).waitFor()
  })

  await step('"Mina körningar" lists the history and re-opens a result', async () => {
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina körningar' }).click()
    await page.getByRole('heading', { name: 'Mina körningar', level: 1 }).waitFor()
    const rows = main.getByRole('row')
    await rows.nth(6).waitFor()
    assert.equal(await main.getByRole('link', { name: 'Betygsöversikt' }).count(), 4)
    await screenshot(page, 'my-runs')
    await main.getByRole('link', { name: 'Betygsöversikt' }).last().click()
    await page.waitForURL(new RegExp(`/runs/${firstRun}$`))
    await main.getByRole('table', { name: /Sammanfattning/ }).waitFor()
  })

  await step('the run view and the catalog work on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await main.getByRole('table', { name: /Sammanfattning/ }).waitFor()
    await screenshot(page, 'run-table-phone')
    await page.goto(`${base}/tools/betygsoversikt`)
    await main.getByText('Filtyper: .csv').waitFor()
    await screenshot(page, 'tool-page-phone')
    await page.goto(`${base}/catalog`)
    // Also under "Senast använda" by now.
    await main.getByRole('link', { name: 'Gruppindelning' }).first().waitFor()
    await screenshot(page, 'catalog-phone')
    await page.setViewportSize({ width: 1280, height: 800 })
    await signOut(page)
  })

  let editorUrl = ''
  await step('a contributor creates a tool and lands in the editor of its first draft', async () => {
    await signIn(page, contributor.email, contributor.password)
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina verktyg' }).click()
    await page.getByRole('heading', { name: 'Du förvaltar inga verktyg ännu' }).waitFor()
    await main.getByRole('button', { name: 'Nytt verktyg' }).first().click()
    const dialog = page.getByRole('dialog', { name: 'Nytt verktyg' })
    await dialog.getByLabel('Namn').fill('Närvarokoll')
    await dialog.getByLabel('Kort beskrivning').fill('Sammanställer veckans närvaro för en klass.')
    await dialog.getByRole('button', { name: 'Skapa verktyget' }).click()
    await page.waitForURL(/\/versions\//)
    editorUrl = page.url()
    await page.getByRole('heading', { name: 'Version 1', level: 1 }).waitFor()
    await page.locator('.cm-content').waitFor()
  })

  await step('the API\'s field errors show where they belong: a syntax error at the code, a bad name in the schema', async () => {
    await page.locator('.cm-content').fill(BAD_SOURCE)
    await main.getByRole('button', { name: 'Testkör', exact: true }).click()
    await main.locator('[data-field-error="source"]').filter({ hasText: /rad 1/ }).waitFor()
    await main.getByRole('button', { name: /Gå till rad 1/ }).waitFor()
    await main.getByText('Koden har ett fel', { exact: false }).waitFor()
    await screenshot(page, 'editor-syntax-error')
    await page.getByLabel('Indataschema (JSON)').fill(INPUT_SCHEMA_BAD)
    await main.getByRole('button', { name: 'Spara', exact: true }).click()
    await main.getByText('fields[0].name').waitFor()
    await screenshot(page, 'editor-errors')
  })

  await step('the fixed draft is saved and sandbox-run with the unsaved changes, in the same run view', async () => {
    await page.getByLabel('Indataschema (JSON)').fill(INPUT_SCHEMA)
    await page.locator('.cm-content').fill(NEW_TOOL_SOURCE)
    await page.getByLabel('Vad har ändrats?').fill('Första versionen: närvaro per dag.')
    await page.getByLabel('Användarinstruktioner (Markdown)').fill(USAGE_MD)
    await main.locator('.usage-editor__preview strong').filter({ hasText: 'klassen' }).waitFor()
    assert.equal(await main.locator('.usage-editor__preview script, .usage-editor__preview [onerror]').count(), 0)
    await main.getByRole('button', { name: 'Spara', exact: true }).click()
    await page.getByText('Utkastet är sparat.').waitFor()
    await main.getByText('Allt är sparat', { exact: true }).waitFor()
    // An unsaved edit goes with the test run.
    await page.locator('.cm-content').fill(NEW_TOOL_SOURCE.replace('Testkörningen fungerar.', 'Osparad ändring syns.'))
    await main.getByText('Osparade ändringar', { exact: true }).waitFor()
    const test = main.locator('.editor__test')
    await test.getByLabel('Klass').fill('7B')
    await test.locator('input[type="file"]').setInputFiles(commaCsv)
    await test.getByRole('button', { name: 'Testkör', exact: true }).click()
    // Watch it run: the status and the tool's prints arrive while it works.
    await test.locator('[data-run-status="running"] .run-logs__live').waitFor({ timeout: RUN_TIMEOUT })
    // It never calls progress(): the bar stays indeterminate, with no value.
    const bar = test.locator('[data-run-status="running"] [role="progressbar"][data-determinate="false"]')
    await bar.waitFor()
    assert.equal(await bar.getAttribute('aria-valuenow'), null)
    await test.locator('.run-logs__pre').filter({ hasText: 'Dag 1 klar' }).waitFor()
    await screenshot(page, 'editor-sandbox-running')
    await runDone()
    assert.match(await test.locator('.run-logs__pre').textContent(), /Räknar närvaro för 7B[\s\S]*Dag 4 klar/)
    await test.getByRole('heading', { name: 'Närvaro för 7B' }).waitFor()
    await test.getByText('Osparad ändring syns.').waitFor()
    await test.getByRole('table', { name: /Veckan/ }).waitFor()
    await test.locator('.vega-output__chart svg').first().waitFor()
    await test.getByText('Sammanställning').waitFor()
    const frame = test.locator('iframe')
    assert.equal(await frame.getAttribute('sandbox'), '')
    const inner = await (await frame.elementHandle()).contentFrame()
    assert.equal(await inner.evaluate(() => document.body.innerText.trim()), 'Rapporten som HTML.', 'the sandbox ran no script')
    assert.equal(await test.locator('.markdown-output script').count(), 0)
    await screenshot(page, 'editor-sandbox-run')
    await main.getByRole('button', { name: 'Spara', exact: true }).click()
    await main.getByText('Allt är sparat', { exact: true }).waitFor()
    await page.setViewportSize({ width: 390, height: 844 })
    await screenshot(page, 'editor-phone')
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  await step('the draft is submitted for review', async () => {
    await main.getByRole('button', { name: 'Skicka för granskning' }).click()
    await page.getByText('Utkastet är skickat för granskning.').waitFor()
    await main.locator('[data-state="in_review"]').first().waitFor()
    await page.getByRole('link', { name: '← Verktygets sida' }).click()
    await page.getByRole('heading', { name: 'Närvarokoll', level: 1 }).waitFor()
    await main.getByText('Innan verktyget kan publiceras').waitFor()
    await screenshot(page, 'tool-admin')
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina verktyg' }).click()
    await main.getByRole('link', { name: 'Närvarokoll' }).waitFor()
    await main.locator('[data-state="in_review"]').waitFor()
    await screenshot(page, 'my-tools')
    await signOut(page)
  })

  await step('an admin sees it in the review queue; publishing waits for a category and a profession', async () => {
    await signIn(page, admin.email, admin.password)
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Granskning' }).click()
    const item = main.getByRole('listitem').filter({ hasText: 'Närvarokoll' })
    await item.waitFor()
    await screenshot(page, 'review-queue')
    await item.getByRole('button', { name: 'Publicera' }).click()
    const dialog = page.getByRole('dialog', { name: /Publicera version 1 av Närvarokoll/ })
    await dialog.getByRole('button', { name: 'Publicera' }).click()
    await dialog.getByRole('alert').waitFor()
    await screenshot(page, 'review-publish-blocked')
    await dialog.getByRole('button', { name: 'Avbryt' }).click()
    await item.getByRole('link', { name: 'Verktygets uppgifter' }).click()
    await page.getByRole('heading', { name: 'Närvarokoll', level: 1 }).waitFor()
    await main.getByRole('checkbox', { name: 'Administration' }).check()
    await main.getByRole('checkbox', { name: 'Lärare' }).check()
    await main.getByRole('button', { name: 'Spara uppgifterna' }).click()
    await page.getByText('Uppgifterna är sparade.').waitFor()
    await main.getByText('Innan verktyget kan publiceras').waitFor({ state: 'detached' })
  })

  await step('the admin publishes it from the tool\'s versions', async () => {
    const version = main.getByRole('listitem').filter({ hasText: 'Version 1' })
    await version.getByRole('button', { name: 'Publicera' }).click()
    await page.getByRole('dialog', { name: /Publicera version 1/ }).getByRole('button', { name: 'Publicera' }).click()
    await page.getByText('Version 1 av Närvarokoll är publicerad.').waitFor()
    await main.locator('[data-state="active"]').first().waitFor()
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Granskning' }).click()
    await page.getByRole('heading', { name: 'Inget att granska' }).waitFor()
    await signOut(page)
  })

  await step('the teacher finds the new tool in the catalog and runs it', async () => {
    await signIn(page, teacher.email, teacher.password)
    await main.getByRole('link', { name: 'Närvarokoll' }).click()
    await usagePanel.getByText('ladda upp veckans närvarolistor').waitFor()
    assert.equal(await usagePanel.evaluate((el) => el.open), true)
    assert.equal(await usagePanel.locator('script, img, [onerror]').count(), 0, 'the instructions are sanitised')
    assert.notEqual(await page.title(), 'hackad')
    await screenshot(page, 'tool-page-new-tool-usage')
    await main.getByLabel('Klass').fill('8A')
    await main.getByRole('button', { name: 'Kör', exact: true }).click()
    await page.waitForURL(/\/runs\//)
    await runDone()
    await main.getByRole('heading', { name: 'Närvaro för 8A' }).waitFor()
    await screenshot(page, 'run-all-outputs')
    await main.locator('iframe').scrollIntoViewIfNeeded()
    // The sandboxed frame is another origin, painted by its own process: give it a frame to show.
    await page.waitForTimeout(300)
    await screenshot(page, 'run-html-output', { fullPage: false })
    await signOut(page)
  })

  console.log(`  (${eventStreams} run event streams opened)`)
  assert.ok(eventStreams > 0, 'runs were followed over server-sent events')
  return { editorUrl }
}
