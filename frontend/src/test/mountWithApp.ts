/** Mounts a component with the real router (memory history, real guard) and the active Pinia. */
import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import type { Component } from 'vue'
import { createMemoryHistory } from 'vue-router'
import { createAppRouter } from '@/router'

export async function mountAt(component: Component, path: string) {
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(component, {
    global: { plugins: [router, getActivePinia()!] },
    attachTo: document.body,
  })
  await flushPromises()
  return { wrapper, router }
}
