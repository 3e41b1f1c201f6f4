/** A privacy-log entry in Swedish: what was done, and how much ("12 körningar, 3 filer, 1,2 MiB"). */
import { fromApiObject, type PrivacyEvent } from '@/api/types'
import type { Tone } from '@/components/ui'
import { t, tc, type MessageKey } from '@/i18n'
import { formatBytes } from '@/i18n/format'
import { countParts, type Counts } from './erasedSummary'

export type PrivacyAction = 'export' | 'erase_runs' | 'erase_user'

export const PRIVACY_ACTIONS: Record<PrivacyAction, { label: MessageKey; tone: Tone }> = {
  export: { label: 'privacyLog.actions.export', tone: 'info' },
  erase_runs: { label: 'privacyLog.actions.erase_runs', tone: 'warning' },
  erase_user: { label: 'privacyLog.actions.erase_user', tone: 'danger' },
}

/** The action's label and badge tone; an action this page does not know yet is named as such. */
export function privacyAction(action: string): { label: string; tone: Tone } {
  const known = Object.hasOwn(PRIVACY_ACTIONS, action) ? PRIVACY_ACTIONS[action as PrivacyAction] : null
  return known ? { label: t(known.label), tone: known.tone } : { label: t('privacyLog.unknownAction'), tone: 'neutral' }
}

/** The counts of the event (only those it has), tools handed over, then the size. */
export function eventSummary(event: PrivacyEvent): string {
  const counts: Counts & Record<string, number> = Object.fromEntries(
    Object.entries(fromApiObject(event.summary)).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  )
  const num = (key: string): number => counts[key] ?? 0
  const parts = countParts(counts)
  if (num('tools_handed_over')) {
    const toAdmin = num('tools_to_admin') ? ` (${tc('privacyLog.toolsToAdmin', num('tools_to_admin'))})` : ''
    parts.push(`${tc('privacyLog.toolsHandedOver', num('tools_handed_over'))}${toAdmin}`)
  }
  if (num('bytes')) parts.push(formatBytes(num('bytes')))
  return parts.join(', ')
}

/**
 * A few characters that tell accounts apart where no name is known. The tail, not the head:
 * account ids are UUIDv7, whose leading characters are the creation time and alike for many.
 */
export function shortId(id: string): string {
  return id.replace(/-/g, '').slice(-8)
}
