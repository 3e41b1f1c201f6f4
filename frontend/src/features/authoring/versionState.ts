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

/**
 * Why the tool cannot be published yet, in Swedish. The API's `publish_blocker` is an English
 * sentence without a code, so the known ones are recognised and anything else is shown as sent.
 */
export function publishBlockerText(blocker: string | null | undefined): string | null {
  if (!blocker) return null
  if (/slug/i.test(blocker)) return t('authoring.blockerSlug')
  if (/category/i.test(blocker)) return t('authoring.blockerCategory')
  if (/profession/i.test(blocker)) return t('authoring.blockerProfession')
  return blocker
}
