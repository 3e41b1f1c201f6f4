/** Sorting and copying the rows of a `table` output. */
export type Cell = string | number | boolean | null | undefined
export type Row = Record<string, Cell>
export type Direction = 'ascending' | 'descending'

const collator = new Intl.Collator('sv-SE', { numeric: true, sensitivity: 'base' })

function blank(value: Cell): boolean {
  return value === null || value === undefined || value === ''
}

/** Numbers by value, text the Swedish way ("å" after "z", "10" after "9"); blanks always last. */
export function compareCells(a: Cell, b: Cell): number {
  if (blank(a) || blank(b)) return blank(a) === blank(b) ? 0 : blank(a) ? 1 : -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return collator.compare(String(a), String(b))
}

export function sortRows(rows: readonly Row[], key: string | null, direction: Direction): Row[] {
  if (!key) return [...rows]
  const sign = direction === 'ascending' ? 1 : -1
  return rows
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      const a = x.row[key]
      const b = y.row[key]
      // Blanks stay last in both directions; ties keep the tool's order.
      if (blank(a) !== blank(b)) return blank(a) ? 1 : -1
      return sign * compareCells(a, b) || x.index - y.index
    })
    .map(({ row }) => row)
}

export function cellText(value: Cell): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return value ? 'ja' : 'nej'
  return value
}

/** Tab-separated values with a header row, ready to paste into a spreadsheet. */
export function toTsv(columns: readonly { key: string; label: string }[], rows: readonly Row[]): string {
  const clean = (text: string) => text.replace(/[\t\r\n]+/g, ' ')
  const lines = [columns.map((c) => clean(c.label)).join('\t')]
  for (const row of rows) lines.push(columns.map((c) => clean(cellText(row[c.key]))).join('\t'))
  return `${lines.join('\n')}\n`
}

/** Copies `text`; falls back to a hidden textarea where the async clipboard is unavailable. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // fall through to the older way
  }
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.appendChild(area)
  area.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  area.remove()
  return ok
}
