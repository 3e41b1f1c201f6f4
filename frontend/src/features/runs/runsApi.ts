/** The runs calls: start (KÖR / TESTKÖR, multipart), read, cancel, answer a next action, list. */
import { api, unwrap } from '@/api/client'
import { asApiObject, type JsonObject, type Run, type RunContext, type RunsPage, type RunStatus } from '@/api/types'
import type { components } from '@/api/schema'

type RunFormBody = components['schemas']['RunForm']

export interface RunRequest {
  files: readonly File[]
  inputs: JsonObject
  /** Send the files of this earlier run again instead of uploading (within 24 h). */
  reuseFilesFrom?: string | null
}

/** The editor's unsaved content, sent with a sandbox run so authors test before saving. */
export interface SandboxContent {
  source: string
  entrypoint: string
  inputSchema: JsonObject | null
  settingsSchema: JsonObject | null
}

/** The multipart form of a run: repeated `files`, `inputs` as a JSON string, and extras. */
export function runFormData(request: RunRequest, sandbox?: SandboxContent): FormData {
  const form = new FormData()
  for (const file of request.files) form.append('files', file, file.name)
  form.append('inputs', JSON.stringify(request.inputs))
  if (request.reuseFilesFrom) form.append('reuse_files_from', request.reuseFilesFrom)
  if (sandbox) {
    // As a file part: multipart turns the line breaks of plain text parts into CRLF.
    form.append('source', new Blob([sandbox.source], { type: 'text/x-python' }), 'script.py')
    form.append('entrypoint', sandbox.entrypoint)
    if (sandbox.inputSchema) form.append('input_schema', JSON.stringify(sandbox.inputSchema))
    if (sandbox.settingsSchema) form.append('settings_schema', JSON.stringify(sandbox.settingsSchema))
  }
  return form
}

// openapi-fetch passes a FormData body through untouched (the browser sets the boundary).
const asBody = (form: FormData) => form as unknown as RunFormBody

export function startRun(slug: string, request: RunRequest): Promise<Run> {
  return unwrap(api.POST('/api/tools/{slug}/run', { params: { path: { slug } }, body: asBody(runFormData(request)) }))
}

export function startSandboxRun(versionId: string, request: RunRequest, content: SandboxContent): Promise<Run> {
  return unwrap(
    api.POST('/api/admin/tool-versions/{id}/run-sandbox', {
      params: { path: { id: versionId } },
      body: asBody(runFormData(request, content)),
    }),
  )
}

export function getRun(id: string): Promise<Run> {
  return unwrap(api.GET('/api/runs/{id}', { params: { path: { id } } }))
}

export function cancelRun(id: string): Promise<Run> {
  return unwrap(api.POST('/api/runs/{id}/cancel', { params: { path: { id } } }))
}

export function submitAction(runId: string, actionId: string, input: JsonObject): Promise<Run> {
  return unwrap(
    api.POST('/api/runs/{id}/actions', {
      params: { path: { id: runId } },
      body: { action_id: actionId, input: asApiObject(input) },
    }),
  )
}

export interface RunsQuery {
  context: RunContext
  status?: RunStatus | null
  toolId?: string | null
  limit: number
  offset: number
}

export function listRuns(query: RunsQuery): Promise<RunsPage> {
  return unwrap(
    api.GET('/api/runs', {
      params: {
        query: {
          context: query.context,
          status: query.status ?? undefined,
          tool_id: query.toolId ?? undefined,
          limit: query.limit,
          offset: query.offset,
        },
      },
    }),
  )
}

/** Where the browser subscribes to a run's server-sent events. */
export function runEventsUrl(id: string): string {
  return `/api/runs/${encodeURIComponent(id)}/events`
}

/** Runs my finished run again: same inputs, settings and (while kept) files. */
export function rerunRun(id: string): Promise<Run> {
  return unwrap(api.POST('/api/runs/{id}/rerun', { params: { path: { id } } }))
}
