/** How each version state looks (exhaustive over VersionState). */
import type { VersionState } from '@/api/types'
import type { Tone } from '@/components/ui'
import { t, type MessageKey } from '@/i18n'

export const VERSION_STATE: { [S in VersionState]: { label: MessageKey; tone: Tone } } = {
  draft: { label: 'versionState.draft', tone: 'neutral' },
  in_review: { label: 'versionState.in_review', tone: 'info' },
  active: { label: 'versionState.active', tone: 'success' },
  archived: { label: 'versionState.archived', tone: 'warning' },
}

export function versionStateLabel(state: VersionState): string {
  return t(VERSION_STATE[state].label)
}
