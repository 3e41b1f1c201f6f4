import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { makeUser, me } from '@/test/fixtures'
import { mockApi } from '@/test/mockApi'
import { mountAt } from '@/test/mountWithApp'
import ProfileView from './ProfileView.vue'

afterEach(() => {
  document.body.innerHTML = ''
})

describe('ProfileView', () => {
  it('shows how much of my storage quota I use', async () => {
    mockApi({
      'GET /api/auth/me': () => ({
        status: 200,
        body: { ...me(makeUser()), storage_used_bytes: 300 * 1024 * 1024, storage_quota_bytes: 1024 * 1024 * 1024 },
      }),
    })
    const { wrapper } = await mountAt(ProfileView, '/profile')
    await flushPromises()
    const storage = wrapper.find('[data-test="storage"]')
    expect(storage.text()).toContain('300 MiB av 1 GiB')
    expect(storage.find('meter').attributes('value')).toBe('29')
    expect(storage.text()).toContain('ett dygn')
  })

  it('says when there is no limit', async () => {
    mockApi({
      'GET /api/auth/me': () => ({
        status: 200,
        body: { ...me(makeUser()), storage_used_bytes: 1536, storage_quota_bytes: null },
      }),
    })
    const { wrapper } = await mountAt(ProfileView, '/profile')
    await flushPromises()
    const storage = wrapper.find('[data-test="storage"]')
    expect(storage.text()).toContain('1,5 KiB (ingen gräns)')
    expect(storage.find('meter').exists()).toBe(false)
  })
})
