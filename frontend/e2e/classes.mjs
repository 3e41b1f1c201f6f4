// Class mode and people's data in the e2e run (issue 14): the teacher runs Betygsöversikt once
// per file for three CSVs and follows the batch table to the end, downloads every result file
// as one zip, and on "Min profil" downloads everything about her and erases her run history.
// She is still signed in from the teachers' part (sign-ins are limited per minute).
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const BATCH_TIMEOUT = 120_000

// Semicolons: the teacher saved ";" as her separator for Betygsöversikt earlier in the run.
const CLASS_CSVS = {
  '7a-matte.csv': 'elev;prov1;prov2\nAnna;14;17\nBo;9;11\n',
  '7b-matte.csv': 'elev;prov1;prov2\nCilla;18;16\nDavid;12;15\n',
  '7c-matte.csv': 'elev;prov1;prov2\nEbba;11;13\nFilip;16;19\n',
}

/** Fetches `url` inside the page (with its session cookie) and reports what came back. */
function fetchInPage(page, url) {
  return page.evaluate(async (href) => {
    const response = await fetch(href, { credentials: 'same-origin' })
    const bytes = new Uint8Array(await response.arrayBuffer())
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      disposition: response.headers.get('content-disposition'),
      magic: String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0),
      size: bytes.length,
    }
  }, url)
}

/**
 * @param {object} ctx
 * @param {import('playwright-core').Page} ctx.page
 */
export async function classFlows({ page, base, step, screenshot, signOut, workDir }) {
  const main = page.getByRole('main')
  const files = Object.entries(CLASS_CSVS).map(([name, text]) => {
    const path = join(workDir, name)
    writeFileSync(path, text)
    return path
  })

  let batchUrl = ''
  await step('class mode: three CSVs, one run each, followed in the batch table until all are done', async () => {
    await page.goto(`${base}/tools/betygsoversikt`)
    await page.getByRole('heading', { name: 'Betygsöversikt', level: 1 }).waitFor()
    await main.getByRole('radio', { name: 'En körning per fil' }).check()
    await main.getByText('1–100 filer').waitFor()
    await page.locator('input[type="file"]').setInputFiles(files)
    for (const name of Object.keys(CLASS_CSVS)) await main.getByText(name).waitFor()
    await screenshot(page, 'tool-page-class-mode')
    await main.getByRole('button', { name: 'Kör för 3 filer' }).click()
    await page.waitForURL(/\/batches\//)
    batchUrl = page.url()
    await page.getByRole('heading', { name: 'Betygsöversikt', level: 1 }).waitFor()
    await main.locator('[data-batch-finished="true"]').waitFor({ timeout: BATCH_TIMEOUT })
    await main.getByText('3 av 3 klara').waitFor()
    const table = main.getByRole('table', { name: 'Filerna i klasskörningen' })
    for (const name of Object.keys(CLASS_CSVS)) {
      const row = table.getByRole('row').filter({ hasText: name })
      assert.equal(await row.locator('[data-status]').innerText(), 'Klar', `${name} succeeded`)
      await row.getByText(/fil att ladda ner/).waitFor()
    }
    assert.equal(await main.getByRole('button', { name: 'Avbryt alla' }).count(), 0, 'nothing left to cancel')
    await screenshot(page, 'batch-table')
  })

  await step('the zip of every result file downloads, and a file\'s run leads back to the batch', async () => {
    const zip = main.getByRole('link', { name: 'Ladda ner alla filer (zip)' })
    const href = await zip.getAttribute('href')
    assert.match(href, /^\/api\/batches\/[^/]+\/artifacts\.zip$/)
    const answer = await fetchInPage(page, href)
    assert.equal(answer.status, 200, 'the zip is served')
    assert.equal(answer.type, 'application/zip')
    assert.equal(answer.magic, 'PK', 'a zip file')
    assert.ok(answer.size > 1000, `the zip has ${answer.size} bytes`)

    await main.getByRole('link', { name: 'Visa körningen för 7b-matte.csv' }).click()
    await page.waitForURL(/\/runs\//)
    await page.locator('[data-run-status="succeeded"]').waitFor()
    assert.match(await main.locator('.run-status__files').innerText(), /7b-matte\.csv/)
    await main.getByRole('link', { name: '← Hela klasskörningen' }).click()
    await page.waitForURL(batchUrl)
    await main.getByText('3 av 3 klara').waitFor()
  })

  await step('"Mina data": the teacher downloads everything about her as a zip', async () => {
    await page.getByRole('button', { name: /^Konto:/ }).click()
    await page.getByRole('menuitem', { name: 'Min profil' }).click()
    await page.getByRole('heading', { name: 'Mina data' }).waitFor()
    const link = main.getByRole('link', { name: 'Ladda ner mina data' })
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    assert.match(download.suggestedFilename(), /\.zip$/, `the export is a zip: ${download.suggestedFilename()}`)
    const bytes = readFileSync(await download.path())
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip file')
    assert.ok(bytes.length > 1000, `the export has ${bytes.length} bytes`)
    const answer = await fetchInPage(page, await link.getAttribute('href'))
    assert.equal(answer.status, 200)
    assert.equal(answer.type, 'application/zip')
    await screenshot(page, 'export-download')
  })

  await step('"Radera min körhistorik": a dialog says what goes, then a toast says how much went', async () => {
    await main.getByRole('button', { name: 'Radera min körhistorik' }).click()
    const dialog = page.getByRole('dialog', { name: 'Radera din körhistorik?' })
    await dialog.getByText('Ditt konto finns kvar').waitFor()
    await screenshot(page, 'erase-history-confirm', { fullPage: false })
    await dialog.getByRole('button', { name: 'Radera körhistoriken' }).click()
    await dialog.waitFor({ state: 'hidden' })
    const toast = page.getByText(/^Din körhistorik är raderad: \d+ körningar/)
    await toast.waitFor()
    assert.match(await toast.innerText(), /1 klasskörning/)
    await page.waitForTimeout(400) // the toast's entrance transition
    await screenshot(page, 'history-erased', { fullPage: false })
    await page.goto(batchUrl)
    await main.getByText('Klasskörningen kunde inte hämtas.').waitFor()
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina körningar' }).click()
    await page.getByRole('heading', { name: 'Inga körningar ännu' }).waitFor()
    await signOut(page)
  })
}
