/** Class mode calls: start one run per file, read a batch, cancel what is left of it. */
import { api, unwrap } from '@/api/client'
import type { Batch } from '@/api/types'
import type { components } from '@/api/schema'
import { runFormData, type RunRequest } from '@/features/runs/runsApi'

type BatchFormBody = components['schemas']['BatchForm']

/** Queues one run per file of `request`, all with the same inputs (202), or none. */
export function startBatch(slug: string, request: RunRequest): Promise<Batch> {
  // The same multipart shape as a run (repeated `files`, `inputs`), without files reused by reference.
  const form = runFormData({ files: request.files, inputs: request.inputs })
  return unwrap(
    api.POST('/api/tools/{slug}/batch', { params: { path: { slug } }, body: form as unknown as BatchFormBody }),
  )
}

export function getBatch(id: string): Promise<Batch> {
  return unwrap(api.GET('/api/batches/{id}', { params: { path: { id } } }))
}

/** Cancels every item still waiting or going; finished items keep their results. */
export function cancelBatch(id: string): Promise<Batch> {
  return unwrap(api.POST('/api/batches/{id}/cancel', { params: { path: { id } } }))
}
