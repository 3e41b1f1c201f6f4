/**
 * Names for the account ids of the privacy log (who did it, about whom), each fetched once.
 * Until a name is known, or where none can be, an account is shown by a short id.
 */
import { reactive } from 'vue'
import { ApiProblem } from '@/api/problem'
import type { User } from '@/api/types'
import { getUser } from '@/features/users/usersApi'
import { t } from '@/i18n'
import { shortId } from './privacyEvents'

type Known = { state: 'found'; user: User } | { state: 'missing' } | { state: 'loading' }

/** How an account is shown: a name, and a second line that tells it apart. */
export interface PersonLabel {
  name: string
  detail: string | null
}

/** An erased person's account keeps an address like `erased-<id>@invalid`, which says nothing. */
function isPlaceholder(user: User): boolean {
  return user.email.endsWith('@invalid')
}

export function usePeople() {
  const known = reactive(new Map<string, Known>())

  /** Fetches the accounts not asked for yet; a failure other than "not found" is asked again next time. */
  function resolve(ids: Iterable<string | null | undefined>): void {
    for (const id of new Set(ids)) {
      if (!id || known.has(id)) continue
      known.set(id, { state: 'loading' })
      getUser(id).then(
        (user) => known.set(id, { state: 'found', user }),
        (e: unknown) => {
          if (e instanceof ApiProblem && e.status === 404) known.set(id, { state: 'missing' })
          else known.delete(id)
        },
      )
    }
  }

  /** `null` is an actor whose account is gone. */
  function label(id: string | null | undefined): PersonLabel {
    if (!id) return { name: t('privacyLog.unknownAccount'), detail: null }
    const idLine = t('privacyLog.idLabel', { id: shortId(id) })
    const entry = known.get(id)
    if (entry?.state === 'found') {
      const { user } = entry
      return { name: user.display_name, detail: isPlaceholder(user) ? idLine : user.email }
    }
    if (entry?.state === 'missing') return { name: t('privacyLog.removedAccount'), detail: idLine }
    return { name: idLine, detail: null }
  }

  return { resolve, label }
}
