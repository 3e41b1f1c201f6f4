// Starts the real `skriptoteket serve` binary for the e2e run (temp data dir, free port, the
// built SPA) and stops it again, whatever happened.
import { execFileSync, spawn } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * The interpreter for the server's syntax pre-check (Python ≥ 3.12), as `make` finds it, so
 * `npm run e2e` alone also gets syntax errors refused before a run starts.
 */
export function syntaxPython(repo) {
  if (process.env.SKRIPTOTEKET_SYNTAX_PYTHON) return process.env.SKRIPTOTEKET_SYNTAX_PYTHON
  try {
    return execFileSync('bash', [join(repo, 'scripts/find-syntax-python.sh')], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/**
 * @param {{ bin: string, spaDir: string, logFile: string, email: string, password: string, python?: string }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void>, killNow: () => void }>}
 */
export async function startBackend({ bin, spaDir, logFile, email, password, python }) {
  if (!existsSync(bin)) {
    throw new Error(`backend binary not found at ${bin}; build it with \`cargo build -p skriptoteket-server\``)
  }
  if (!existsSync(join(spaDir, 'index.html'))) {
    throw new Error(`no built SPA in ${spaDir}; run \`npm run build\` first`)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'skt-e2e-data-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const log = createWriteStream(logFile)
  const env = { ...process.env }
  // Always the embedded SQLite in the temp data dir, whatever the developer's shell says.
  delete env.DATABASE_URL
  const child = spawn(bin, ['serve'], {
    env: {
      ...env,
      SKRIPTOTEKET_DATA_DIR: dataDir,
      SKRIPTOTEKET_BIND: `127.0.0.1:${port}`,
      SKRIPTOTEKET_SPA_DIR: spaDir,
      SKRIPTOTEKET_BOOTSTRAP_EMAIL: email,
      SKRIPTOTEKET_BOOTSTRAP_PASSWORD: password,
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      ...(python ? { SKRIPTOTEKET_SYNTAX_PYTHON: python } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.pipe(log)
  child.stderr.pipe(log)
  let exited = null
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal }
      resolve(exited)
    })
  })

  const killNow = () => {
    if (!exited) child.kill('SIGKILL')
  }
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM')
      const timer = setTimeout(killNow, 5000)
      await exitPromise
      clearTimeout(timer)
    }
    log.end()
    rmSync(dataDir, { recursive: true, force: true })
  }

  const deadline = Date.now() + 30_000
  for (;;) {
    if (exited) {
      await stop()
      throw new Error(`backend exited during start-up (${JSON.stringify(exited)}); see ${logFile}`)
    }
    try {
      const response = await fetch(`${url}/api/health`)
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`backend did not answer /api/health within 30 s; see ${logFile}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { url, stop, killNow }
}
