// End-to-end run against the real backend: starts `target/debug/skriptoteket serve` serving the
// built SPA, drives Debian's Chromium through playwright-core, screenshots every page into
// e2e-output/, and stops the backend whatever happens.
//
//   npm run build && npm run e2e        (needs /usr/bin/chromium: scripts/ci/install-chromium.sh)
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { startBackend, syntaxPython } from './backend.mjs'
import { classFlows } from './classes.mjs'
import { teacherFlows } from './teachers.mjs'
import { createAccounts, toolFlows } from './tools.mjs'

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repo = resolve(frontend, '..')
const out = join(frontend, 'e2e-output')
const bin = process.env.SKRIPTOTEKET_BIN ?? join(repo, 'target/debug/skriptoteket')
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const RUN_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 300_000)

const SUPER = { email: 'rektor@skola.example', password: 'e2e-superuser-password' }
const TEACHER = { name: 'Lena Lärare', email: 'lena.larare@skola.example', password: 'lena-hemligt-123' }
/** Accounts of the tools part (created through the API, so the lockout test above cannot touch them). */
const ACCOUNTS = {
  teacher: { name: 'Tove Lärare', email: 'tove@skola.example', password: 'tove-hemligt-123', role: 'user' },
  contributor: { name: 'Cilla Kodare', email: 'cilla@skola.example', password: 'cilla-hemligt-123', role: 'contributor' },
  admin: { name: 'Adam Admin', email: 'adam@skola.example', password: 'adam-hemligt-123', role: 'admin' },
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

let backend = null
let context = null
const profileDir = mkdtempSync(join(tmpdir(), 'skt-e2e-chromium-'))
const workDir = mkdtempSync(join(tmpdir(), 'skt-e2e-files-'))
const problems = []
let shot = 0

async function cleanup() {
  await context?.close().catch(() => {})
  context = null
  await backend?.stop().catch(() => {})
  backend = null
  rmSync(profileDir, { recursive: true, force: true })
  rmSync(workDir, { recursive: true, force: true })
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    backend?.killNow()
    process.exit(130)
  })
}
process.on('exit', () => backend?.killNow())
const watchdog = setTimeout(() => {
  console.error(`e2e: no result after ${RUN_TIMEOUT_MS / 1000} s; stopping`)
  backend?.killNow()
  process.exit(1)
}, RUN_TIMEOUT_MS)
watchdog.unref()

async function screenshot(page, name, { fullPage = true } = {}) {
  shot += 1
  const file = join(out, `${String(shot).padStart(2, '0')}-${name}.png`)
  // From the top, so the sticky header sits where a person sees it.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: file, fullPage })
  console.log(`  screenshot ${file.slice(frontend.length + 1)}`)
}

async function step(name, fn) {
  const started = Date.now()
  process.stdout.write(`• ${name}\n`)
  await fn()
  console.log(`  ok (${Date.now() - started} ms)`)
}

async function signIn(page, email, password) {
  await page.getByLabel('E-postadress').fill(email)
  await page.getByLabel('Lösenord').fill(password)
  await page.getByRole('button', { name: 'Logga in' }).click()
}

async function signOut(page) {
  await page.getByRole('button', { name: /^Konto:/ }).click()
  await page.getByRole('menuitem', { name: 'Logga ut' }).click()
  await page.getByRole('heading', { name: 'Logga in' }).waitFor()
}

async function navLabels(page) {
  return page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link').allInnerTexts()
}

async function main() {
  const started = Date.now()
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}; install it with scripts/ci/install-chromium.sh`)
  }
  backend = await startBackend({
    bin,
    spaDir: join(frontend, 'dist'),
    logFile: join(out, 'backend.log'),
    email: SUPER.email,
    password: SUPER.password,
    python: syntaxPython(repo),
  })
  console.log(`backend at ${backend.url}`)
  await createAccounts(backend.url, SUPER, ACCOUNTS)

  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'sv-SE',
    timezoneId: 'Europe/Stockholm',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  context.setDefaultTimeout(10_000)
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    // Chromium logs every non-2xx fetch as "Failed to load resource"; those are expected here.
    // A sandboxed result trying to run a script is blocked by design: that is the test passing.
    const expected = message.text().startsWith('Failed to load resource') || message.text().includes("frame is sandboxed and the 'allow-scripts' permission is not set")
    if (message.type() === 'error' && !expected) problems.push(`console error: ${message.text()}`)
    if (message.type() === 'warning') console.log(`  browser warning: ${message.text()}`)
  })
  const base = backend.url

  await step('home redirects to sign-in, with a way back to the catalog', async () => {
    await page.goto(`${base}/`)
    await page.getByRole('heading', { name: 'Logga in' }).waitFor()
    const url = new URL(page.url())
    assert.equal(url.pathname, '/login')
    assert.equal(url.searchParams.get('redirect'), '/catalog')
    assert.equal(await page.title(), 'Logga in – Skriptoteket')
    await screenshot(page, 'login')
  })

  await step('a wrong password is refused with a clear message', async () => {
    await signIn(page, SUPER.email, 'not-the-password')
    await page.getByRole('alert').filter({ hasText: 'Fel e-postadress eller lösenord.' }).waitFor()
    assert.equal(await page.getByLabel('Lösenord').inputValue(), '')
    await screenshot(page, 'login-wrong-password')
  })

  await step('the superuser signs in and lands in the catalog with the example tools', async () => {
    await signIn(page, SUPER.email, SUPER.password)
    await page.getByRole('heading', { name: 'Katalog', level: 1 }).waitFor()
    await page.getByRole('main').getByRole('link', { name: 'Betygsöversikt' }).waitFor()
    assert.deepEqual(await navLabels(page), ['Katalog', 'Mina körningar', 'Mina verktyg', 'Granskning', 'Användare', 'Integritetslogg'])
    await screenshot(page, 'catalog-superuser')
  })

  await step('the users page lists the superuser', async () => {
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Användare' }).click()
    await page.getByRole('heading', { name: 'Användare', level: 1 }).waitFor()
    const row = page.getByRole('row').filter({ hasText: SUPER.email })
    await row.waitFor()
    assert.match(await row.innerText(), /Superanvändare/)
    assert.match(await row.innerText(), /Ditt eget konto/)
    await screenshot(page, 'users')
  })

  await step('creating a user shows the server\'s field errors at the fields', async () => {
    await page.getByRole('button', { name: 'Ny användare' }).click()
    const dialog = page.getByRole('dialog', { name: 'Ny användare' })
    await dialog.waitFor()
    await dialog.getByLabel('Namn').fill(TEACHER.name)
    await dialog.getByLabel('E-postadress').fill('lena')
    await dialog.getByLabel('Roll').selectOption('user')
    await dialog.getByLabel('Tillfälligt lösenord').fill('kort')
    await dialog.getByRole('button', { name: 'Skapa användare' }).click()
    await dialog.getByText('Ange en giltig e-postadress.').waitFor()
    await dialog.getByText('Måste vara minst 8 tecken.').waitFor()
    assert.equal(await dialog.getByLabel('E-postadress').getAttribute('aria-invalid'), 'true')
    await screenshot(page, 'create-user-errors')
  })

  await step('a valid user is created and appears in the list', async () => {
    const dialog = page.getByRole('dialog', { name: 'Ny användare' })
    await dialog.getByLabel('E-postadress').fill(TEACHER.email)
    await dialog.getByLabel('Tillfälligt lösenord').fill(TEACHER.password)
    await dialog.getByRole('button', { name: 'Skapa användare' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByText(`Kontot för ${TEACHER.name} har skapats.`).waitFor()
    const row = page.getByRole('row').filter({ hasText: TEACHER.email })
    await row.waitFor()
    assert.match(await row.innerText(), /Användare/)
    await screenshot(page, 'users-created')
  })

  await step('the new user is made a contributor after a confirmation', async () => {
    const row = page.getByRole('row').filter({ hasText: TEACHER.email })
    await row.getByRole('button', { name: 'Ändra roll' }).click()
    const dialog = page.getByRole('dialog', { name: `Ändra roll för ${TEACHER.name}` })
    await dialog.getByLabel('Roll').selectOption('contributor')
    await screenshot(page, 'change-role')
    await dialog.getByRole('button', { name: 'Spara roll' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await row.getByText('Bidragsgivare').waitFor()
  })

  await step('the users page works on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByRole('row').filter({ hasText: TEACHER.email }).waitFor()
    await screenshot(page, 'users-phone')
    await page.getByRole('button', { name: 'Meny' }).click()
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Katalog' }).waitFor()
    await screenshot(page, 'nav-phone')
    await page.getByRole('button', { name: 'Meny' }).click()
    await page.getByRole('button', { name: 'Ny användare' }).click()
    await page.getByRole('dialog', { name: 'Ny användare' }).waitFor()
    await screenshot(page, 'create-user-phone')
    await page.keyboard.press('Escape')
    await page.getByRole('dialog', { name: 'Ny användare' }).waitFor({ state: 'hidden' })
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  await step('the account menu signs out', async () => {
    await page.getByRole('button', { name: /^Konto:/ }).click()
    await page.getByRole('menuitem', { name: 'Logga ut' }).waitFor()
    await screenshot(page, 'user-menu')
    await page.getByRole('menuitem', { name: 'Logga ut' }).click()
    await page.getByRole('heading', { name: 'Logga in' }).waitFor()
    await page.getByRole('status').filter({ hasText: 'Du är utloggad.' }).waitFor()
    await screenshot(page, 'signed-out')
  })

  await step('the new contributor signs in and sees a contributor\'s navigation', async () => {
    await signIn(page, TEACHER.email, TEACHER.password)
    await page.getByRole('heading', { name: 'Katalog', level: 1 }).waitFor()
    assert.deepEqual(await navLabels(page), ['Katalog', 'Mina körningar', 'Mina verktyg'])
    await screenshot(page, 'catalog-contributor')
  })

  await step('"Min profil" shows the account', async () => {
    await page.getByRole('button', { name: /^Konto:/ }).click()
    await page.getByRole('menuitem', { name: 'Min profil' }).click()
    await page.getByRole('heading', { name: 'Min profil' }).waitFor()
    await page.getByRole('main').getByText(TEACHER.email).waitFor()
    await screenshot(page, 'profile')
  })

  await step('an admin page is refused to a contributor', async () => {
    await page.goto(`${base}/admin/users`)
    await page.getByRole('heading', { name: 'Ingen behörighet' }).waitFor()
    await page.getByText('Sidan kräver rollen Administratör eller högre.').waitFor()
    await screenshot(page, 'forbidden')
  })

  await step('an unknown address shows a not-found page inside the app', async () => {
    await page.goto(`${base}/finns/inte`)
    await page.getByRole('heading', { name: 'Sidan finns inte' }).waitFor()
    await screenshot(page, 'not-found')
  })

  await step('a lost session sends the user to sign-in and back', async () => {
    await page.goto(`${base}/my-runs`)
    await page.getByRole('heading', { name: 'Mina körningar', level: 1 }).waitFor()
    await context.clearCookies()
    await page.getByRole('button', { name: /^Konto:/ }).click()
    await page.getByRole('menuitem', { name: 'Logga ut' }).click()
    await page.getByRole('heading', { name: 'Logga in' }).waitFor()
    await page.goto(`${base}/admin/users`)
    await page.getByRole('heading', { name: 'Logga in' }).waitFor()
    assert.equal(new URL(page.url()).searchParams.get('redirect'), '/admin/users')
    await signIn(page, SUPER.email, SUPER.password)
    await page.getByRole('heading', { name: 'Användare', level: 1 }).waitFor()
    await context.clearCookies()
    const row = page.getByRole('row').filter({ hasText: TEACHER.email })
    await row.getByRole('button', { name: 'Inaktivera' }).click()
    await page.getByRole('dialog', { name: `Inaktivera ${TEACHER.name}?` }).getByRole('button', { name: 'Inaktivera' }).click()
    await page.getByText('Din inloggning har gått ut. Logga in igen för att fortsätta.').waitFor()
    assert.equal(new URL(page.url()).searchParams.get('redirect'), '/admin/users')
    await screenshot(page, 'session-expired')
  })

  await step('a disabled account cannot sign in', async () => {
    await signIn(page, SUPER.email, SUPER.password)
    await page.getByRole('heading', { name: 'Användare', level: 1 }).waitFor()
    const row = page.getByRole('row').filter({ hasText: TEACHER.email })
    await row.getByRole('button', { name: 'Inaktivera' }).click()
    const dialog = page.getByRole('dialog', { name: `Inaktivera ${TEACHER.name}?` })
    await screenshot(page, 'disable-confirm')
    await dialog.getByRole('button', { name: 'Inaktivera' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await row.getByText('Inaktiverad').waitFor()
    await page.getByRole('button', { name: /^Konto:/ }).click()
    await page.getByRole('menuitem', { name: 'Logga ut' }).click()
    await page.getByRole('heading', { name: 'Logga in' }).waitFor()
    await signIn(page, TEACHER.email, TEACHER.password)
    await page.getByRole('alert').filter({ hasText: 'Kontot är inaktiverat' }).waitFor()
    await screenshot(page, 'login-disabled')
  })

  await step('too many wrong passwords lock the account, with the wait in minutes', async () => {
    for (let i = 0; i < 6; i += 1) {
      await signIn(page, SUPER.email, `wrong-${i}`)
      await page.getByRole('alert').waitFor()
      if (await page.getByRole('alert').filter({ hasText: 'Försök igen om' }).count()) break
    }
    await page.getByRole('alert').filter({ hasText: /Försök igen om \d+ minut/ }).waitFor()
    await screenshot(page, 'login-locked')
  })

  await step('Swagger UI renders at /api/docs', async () => {
    await page.goto(`${base}/api/docs/`)
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'Skriptoteket API' }).waitFor()
    await page.locator('.opblock').first().waitFor()
    await screenshot(page, 'api-docs', { fullPage: false })
  })

  await toolFlows({ page, base, step, screenshot, signIn, signOut, accounts: ACCOUNTS, workDir })
  // The superuser is locked out above; the admin account authors and publishes here.
  await teacherFlows({ page, base, step, screenshot, signIn, publisher: ACCOUNTS.admin, teacher: ACCOUNTS.teacher })
  // Still signed in as the teacher: class mode, then her data (export, erase).
  await classFlows({ page, base, step, screenshot, signOut, workDir })

  assert.deepEqual(problems, [], 'the browser reported errors')
  console.log(`e2e passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in e2e-output/`)
}

try {
  await main()
} catch (error) {
  console.error(`e2e FAILED: ${error instanceof Error ? error.stack : error}`)
  if (problems.length) console.error(problems.join('\n'))
  try {
    const page = context?.pages()[0]
    if (page) await page.screenshot({ path: join(out, 'failure.png'), fullPage: true })
  } catch {
    // the browser may be gone
  }
  process.exitCode = 1
} finally {
  await cleanup()
  clearTimeout(watchdog)
}
