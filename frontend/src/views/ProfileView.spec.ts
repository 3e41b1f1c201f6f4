import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { useToastStore } from '@/stores/toasts'
import { makeUser, me } from '@/test/fixtures'
import { buttonNamed as button } from '@/test/find'
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

  describe('Mina data', () => {
    it('downloads everything about me as a plain link', async () => {
      mockApi({ 'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }) })
      const { wrapper } = await mountAt(ProfileView, '/profile')
      const data = wrapper.find('[data-test="my-data"]')
      expect(data.find('h2').text()).toBe('Mina data')
      const link = data.findAll('a').find((a) => a.text() === 'Ladda ner mina data')!
      expect(link.attributes('href')).toBe('/api/me/export')
      expect(link.attributes('download')).toBeDefined()
    })

    it('erases my run history only after a dialog saying what goes and that the account stays', async () => {
      const net = mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
        'DELETE /api/me/runs': () => ({
          status: 200,
          body: { runs: 12, artifacts: 30, bytes: 1536 * 1024, settings: 2, favorites: 1, batches: 0 },
        }),
      })
      const { wrapper } = await mountAt(ProfileView, '/profile')
      await button(wrapper, 'Radera min körhistorik').trigger('click')
      const dialog = wrapper.find('dialog[open]')
      expect(dialog.find('h2').text()).toBe('Radera din körhistorik?')
      expect(dialog.findAll('li').map((li) => li.text())).toEqual([
        'körningar (de som pågår avbryts)',
        'uppladdade filer',
        'resultatfiler från verktygen',
        'sparade inställningar för verktygen',
        'favoriter',
      ])
      expect(dialog.text()).toContain('Ditt konto finns kvar')
      await button(dialog, 'Avbryt').trigger('click')
      expect(net.callsTo('DELETE /api/me/runs')).toHaveLength(0)

      await button(wrapper, 'Radera min körhistorik').trigger('click')
      await button(wrapper.find('dialog[open]'), 'Radera körhistoriken').trigger('click')
      await flushPromises()
      expect(net.callsTo('DELETE /api/me/runs')).toHaveLength(1)
      expect(net.callsTo('DELETE /api/me/runs')[0]!.headers.get('X-CSRF-Token')).toBe('csrf-123')
      expect(wrapper.find('dialog[open]').exists()).toBe(false)
      expect(useToastStore().toasts.map((toast) => toast.message)).toContain(
        'Din körhistorik är raderad: 12 körningar, 30 resultatfiler, 2 inställningar och 1 favorit – 1,5 MiB frigjort.',
      )
      // The storage line is asked again (it is smaller now).
      expect(net.callsTo('GET /api/auth/me').length).toBeGreaterThanOrEqual(3)
    })

    it('keeps the dialog open with the refusal in Swedish', async () => {
      mockApi({
        'GET /api/auth/me': () => ({ status: 200, body: me(makeUser()) }),
        'DELETE /api/me/runs': () => ({ problem: { status: 500, code: 'internal_error' } }),
      })
      const { wrapper } = await mountAt(ProfileView, '/profile')
      await button(wrapper, 'Radera min körhistorik').trigger('click')
      const dialog = wrapper.find('dialog[open]')
      await button(dialog, 'Radera körhistoriken').trigger('click')
      await flushPromises()
      expect(dialog.find('[role="alert"]').text()).toContain('Något gick fel hos oss.')
      expect(wrapper.find('dialog[open]').exists()).toBe(true)
    })
  })
})
