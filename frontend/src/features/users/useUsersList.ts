/** One page of accounts with a single loading status; stale answers are dropped. */
import { ref } from 'vue'
import type { User, UsersPage } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { listUsers } from './usersApi'

export const USERS_PAGE_SIZE = 25

export function useUsersList(limit = USERS_PAGE_SIZE) {
  const status = ref<Status<UsersPage>>({ state: 'idle' })
  let latest = 0

  async function load(offset: number): Promise<void> {
    const ticket = ++latest
    const previous = status.value.state === 'ready' ? status.value.data : null
    status.value = { state: 'loading', previous }
    try {
      const data = await listUsers(limit, offset)
      if (ticket === latest) status.value = { state: 'ready', data }
    } catch (e) {
      if (ticket === latest) status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  /** Puts a changed account in place without reloading the page. */
  function replace(user: User): void {
    if (status.value.state !== 'ready') return
    const data = status.value.data
    status.value = {
      state: 'ready',
      data: { ...data, items: data.items.map((item) => (item.id === user.id ? user : item)) },
    }
  }

  return { status, limit, load, replace }
}
