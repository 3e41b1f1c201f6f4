/** Reading and saving one version (optimistic concurrency by revision). */
import { api, unwrap } from '@/api/client'
import { asApiObject, type JsonObject, type Version } from '@/api/types'

export function getVersion(id: string): Promise<Version> {
  return unwrap(api.GET('/api/admin/tool-versions/{id}', { params: { path: { id } } }))
}

export interface DraftContent {
  source: string
  entrypoint: string
  inputSchema: JsonObject | null
  settingsSchema: JsonObject | null
  changeSummary: string
  /** Markdown for the tool page, at most `MAX_USAGE_BYTES` (UTF-8). */
  usageInstructions: string
}

/** The server's limit on usage instructions: 16 KiB of UTF-8. */
export const MAX_USAGE_BYTES = 16 * 1024

/** Saves a draft edited at `revision`; someone else's save in between is a 412 `edit_conflict`. */
export function saveVersion(id: string, content: DraftContent, revision: number): Promise<Version> {
  return unwrap(
    api.PUT('/api/admin/tool-versions/{id}', {
      params: { path: { id } },
      body: {
        source: content.source,
        entrypoint: content.entrypoint,
        input_schema: content.inputSchema ? asApiObject(content.inputSchema) : null,
        settings_schema: content.settingsSchema ? asApiObject(content.settingsSchema) : null,
        change_summary: content.changeSummary,
        usage_instructions: content.usageInstructions,
        expected_revision: revision,
      },
    }),
  )
}
