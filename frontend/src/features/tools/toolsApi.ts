/** The catalog and tool-page calls, typed by the generated schema. */
import { api, unwrap } from '@/api/client'
import { asApiObject, type JsonObject, type SettingsResponse, type Taxon, type ToolPage, type ToolsPage } from '@/api/types'

export interface CatalogQuery {
  q?: string
  category?: string
  profession?: string
  /** `favorites`: only my starred tools; `recent`: only tools I have run. */
  only?: 'favorites' | 'recent'
  /** `recent`: the tools I ran last first; `favorites`: my starred tools first. */
  sort?: 'favorites' | 'recent'
  limit: number
  offset: number
}

export function listTools(query: CatalogQuery): Promise<ToolsPage> {
  return unwrap(
    api.GET('/api/tools', {
      params: {
        query: {
          q: query.q || undefined,
          category: query.category || undefined,
          profession: query.profession || undefined,
          only: query.only,
          sort: query.sort,
          limit: query.limit,
          offset: query.offset,
        },
      },
    }),
  )
}

export function listCategories(): Promise<Taxon[]> {
  return unwrap(api.GET('/api/categories'))
}

export function listProfessions(): Promise<Taxon[]> {
  return unwrap(api.GET('/api/professions'))
}

export function getTool(slug: string): Promise<ToolPage> {
  return unwrap(api.GET('/api/tools/{slug}', { params: { path: { slug } } }))
}

export function getSettings(slug: string): Promise<SettingsResponse> {
  return unwrap(api.GET('/api/tools/{slug}/settings', { params: { path: { slug } } }))
}

export function putSettings(slug: string, values: JsonObject): Promise<SettingsResponse> {
  return unwrap(api.PUT('/api/tools/{slug}/settings', { params: { path: { slug } }, body: { values: asApiObject(values) } }))
}

export function getSandboxSettings(versionId: string): Promise<SettingsResponse> {
  return unwrap(api.GET('/api/admin/tool-versions/{id}/settings', { params: { path: { id: versionId } } }))
}

export function putSandboxSettings(versionId: string, values: JsonObject): Promise<SettingsResponse> {
  return unwrap(
    api.PUT('/api/admin/tool-versions/{id}/settings', { params: { path: { id: versionId } }, body: { values: asApiObject(values) } }),
  )
}

/** Remembers that I have seen the tool's usage instructions as they read now (204). */
export async function markUsageSeen(slug: string): Promise<void> {
  await unwrap(api.PUT('/api/tools/{slug}/usage-instructions/seen', { params: { path: { slug } } }))
}

/** Stars (`true`) or unstars a tool for me; both are idempotent (204). */
export async function setFavorite(slug: string, favorite: boolean): Promise<void> {
  const options = { params: { path: { slug } } }
  await unwrap(favorite ? api.PUT('/api/tools/{slug}/favorite', options) : api.DELETE('/api/tools/{slug}/favorite', options))
}
