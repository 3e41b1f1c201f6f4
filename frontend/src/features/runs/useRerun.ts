/**
 * "Kör igen" in one click: starts the same tool with the same inputs, settings and files
 * (`POST /api/runs/{id}/rerun`) and says in Swedish why not when it cannot — files older than
 * 24 hours, a tool that changed its form or left the catalog — with the way forward (the tool
 * page, prefilled where that still helps).
 */
import { ref } from 'vue'
import type { RouteLocationRaw } from 'vue-router'
import type { Run } from '@/api/types'
import { toProblem } from '@/composables/status'
import { t } from '@/i18n'
import { problemMessage } from '@/i18n/problems'
import { rerunRun } from './runsApi'

export interface RerunProblem {
  runId: string
  message: string
  /** Where to go instead; `null` when there is nowhere (the tool left the catalog). */
  next: RouteLocationRaw | null
}

export function useRerun() {
  /** The id of the run being started again, while its request is out. */
  const busy = ref<string | null>(null)
  const problem = ref<RerunProblem | null>(null)

  async function rerun(run: { id: string; tool: { slug: string } }): Promise<Run | null> {
    if (busy.value) return null
    busy.value = run.id
    problem.value = null
    try {
      return await rerunRun(run.id)
    } catch (e) {
      const refused = toProblem(e)
      const toTool = (reuse: boolean): RouteLocationRaw => ({ name: 'tool', params: { slug: run.tool.slug }, query: reuse ? { reuse: run.id } : {} })
      switch (refused.code) {
        case 'files_not_kept':
          problem.value = { runId: run.id, message: t('rerun.filesGone'), next: toTool(false) }
          break
        case 'validation_failed':
          problem.value = { runId: run.id, message: t('rerun.formChanged'), next: toTool(true) }
          break
        case 'tool_not_published':
          problem.value = { runId: run.id, message: t('rerun.toolGone'), next: null }
          break
        default:
          problem.value = { runId: run.id, message: problemMessage(refused), next: null }
      }
      return null
    } finally {
      busy.value = null
    }
  }

  return { busy, problem, rerun }
}
