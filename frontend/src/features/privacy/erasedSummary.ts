/** How much an export or erase touched, in Swedish: "12 körningar, 30 resultatfiler och 1 favorit – 1,2 MiB frigjort". */
import type { Erased } from '@/api/types'
import { t, tc, type PluralKey } from '@/i18n'
import { formatBytes } from '@/i18n/format'

const list = new Intl.ListFormat('sv', { style: 'long', type: 'conjunction' })

/** The counts an erase answers with and the privacy log keeps (an export's `files` too). */
export type Counts = Partial<Record<'runs' | 'batches' | 'files' | 'artifacts' | 'settings' | 'favorites', number>>

/** The counted things in a fixed order, each with its Swedish singular/plural. */
const COUNTED: [keyof Counts, PluralKey][] = [
  ['batches', 'privacy.batches'],
  ['files', 'privacy.files'],
  ['artifacts', 'privacy.artifacts'],
  ['settings', 'privacy.settings'],
  ['favorites', 'privacy.favorites'],
]

/** "12 körningar", then each other count that is not zero. */
export function countParts(counts: Counts): string[] {
  const parts = [tc('privacy.runs', counts.runs ?? 0)]
  for (const [key, label] of COUNTED) {
    const n = counts[key]
    if (n) parts.push(tc(label, n))
  }
  return parts
}

export function erasedSummary(erased: Erased): string {
  const freed = erased.bytes ? ` – ${t('privacy.bytes', { size: formatBytes(erased.bytes) })}` : ''
  return `${list.format(countParts(erased))}${freed}`
}
