/**
 * One tool for its maintainers and admins: metadata and taxonomy (saved with PATCH, field errors
 * at their fields), maintainers, versions with their lifecycle, and the history of changes.
 */
import { ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { AdminTool, Maintainer, Taxon, UpdateToolRequest, Version, VersionEvent } from '@/api/types'
import { toProblem, type Status } from '@/composables/status'
import { listCategories, listProfessions } from '@/features/tools/toolsApi'
import {
  addMaintainer,
  getAdminTool,
  listMaintainers,
  listToolEvents,
  newDraft,
  removeMaintainer,
  transition,
  updateTool,
  type Transition,
} from './authoringApi'

export function useToolAdmin(toolId: MaybeRefOrGetter<string>) {
  const status = ref<Status<AdminTool>>({ state: 'idle' })
  const maintainers = ref<Maintainer[]>([])
  const events = ref<VersionEvent[]>([])
  const categories = ref<Taxon[]>([])
  const professions = ref<Taxon[]>([])

  function id(): string {
    return toValue(toolId)
  }

  async function load(): Promise<void> {
    status.value = { state: 'loading', previous: status.value.state === 'ready' ? status.value.data : null }
    try {
      const [tool, people, history, c, p] = await Promise.all([
        getAdminTool(id()),
        listMaintainers(id()),
        listToolEvents(id()),
        listCategories(),
        listProfessions(),
      ])
      maintainers.value = people
      events.value = history
      categories.value = c
      professions.value = p
      status.value = { state: 'ready', data: tool }
    } catch (e) {
      status.value = { state: 'error', problem: toProblem(e) }
    }
  }

  async function refreshHistory(): Promise<void> {
    const [tool, history] = await Promise.all([getAdminTool(id()), listToolEvents(id())])
    status.value = { state: 'ready', data: tool }
    events.value = history
  }

  /** Throws ApiProblem for the form to show. */
  async function save(patch: UpdateToolRequest): Promise<AdminTool> {
    const tool = await updateTool(id(), patch)
    status.value = { state: 'ready', data: tool }
    return tool
  }

  async function addPerson(email: string): Promise<void> {
    maintainers.value = await addMaintainer(id(), email)
    await refreshHistory()
  }

  async function removePerson(userId: string): Promise<void> {
    await removeMaintainer(id(), userId)
    maintainers.value = maintainers.value.filter((m) => m.id !== userId)
  }

  async function draft(from: 'active' | 'scratch' | 'version', versionId?: string): Promise<Version> {
    const version = await newDraft(id(), from, versionId)
    await refreshHistory()
    return version
  }

  async function step(versionId: string, which: Transition, message?: string | null): Promise<Version> {
    const version = await transition(versionId, which, message)
    await refreshHistory()
    return version
  }

  watch(() => toValue(toolId), load, { immediate: true })
  return { status, maintainers, events, categories, professions, reload: load, save, addPerson, removePerson, draft, step }
}
