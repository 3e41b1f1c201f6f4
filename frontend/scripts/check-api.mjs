// The drift test: regenerate the typed schema from ../openapi/openapi.json into a temp file and
// fail when it differs from the committed src/api/schema.d.ts (fix with `npm run gen:api`).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const committed = join(root, 'src/api/schema.d.ts')
const dir = mkdtempSync(join(tmpdir(), 'skt-schema-'))
const fresh = join(dir, 'schema.d.ts')

try {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/openapi-typescript/bin/cli.js'), join(root, '../openapi/openapi.json'), '-o', fresh],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const want = readFileSync(fresh, 'utf8')
  const have = readFileSync(committed, 'utf8')
  if (want !== have) {
    const a = have.split('\n')
    const b = want.split('\n')
    const line = a.findIndex((text, i) => text !== b[i])
    console.error('src/api/schema.d.ts is out of date with openapi/openapi.json.')
    console.error(`First difference at line ${line + 1}:`)
    console.error(`  committed: ${a[line] ?? '<end of file>'}`)
    console.error(`  generated: ${b[line] ?? '<end of file>'}`)
    console.error('Run `npm run gen:api` (or `make fe-gen-api`) and commit the result.')
    process.exit(1)
  }
  console.log('src/api/schema.d.ts matches openapi/openapi.json')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
