/** What an erase removed, in Swedish: "12 körningar, 30 resultatfiler och 1 favorit – 1,2 MiB frigjort". */
import type { Erased } from '@/api/types'
import { t, tc } from '@/i18n'
import { formatBytes } from '@/i18n/format'

const list = new Intl.ListFormat('sv', { style: 'long', type: 'conjunction' })

export function erasedSummary(erased: Erased): string {
  const parts = [tc('privacy.runs', erased.runs)]
  if (erased.batches) parts.push(tc('privacy.batches', erased.batches))
  if (erased.artifacts) parts.push(tc('privacy.artifacts', erased.artifacts))
  if (erased.settings) parts.push(tc('privacy.settings', erased.settings))
  if (erased.favorites) parts.push(tc('privacy.favorites', erased.favorites))
  const freed = erased.bytes ? ` – ${t('privacy.bytes', { size: formatBytes(erased.bytes) })}` : ''
  return `${list.format(parts)}${freed}`
}
