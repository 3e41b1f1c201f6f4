/**
 * A network-level API mock for specs: stubs `fetch` and answers from handlers keyed by
 * `"METHOD /api/path/{param}"`. Handlers are typed by the generated schema: the request body
 * they receive and the success bodies they return must match the OpenAPI document.
 */
import { vi } from 'vitest'
import type { FieldError } from '@/api/types'
import type { paths } from '@/api/schema'

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch'
type PathKey = keyof paths & string

/** Every operation of the API as `"GET /api/admin/users"`. */
export type RouteKey = {
  [P in PathKey]: {
    [M in Method]: [NonNullable<paths[P][M]>] extends [never] ? never : `${Uppercase<M>} ${P}`
  }[Method]
}[PathKey]

type Split<K> = K extends `${infer M} ${infer P}` ? [Lowercase<M>, P] : never
type Operation<K extends RouteKey> = NonNullable<paths[Split<K>[1] & PathKey][Split<K>[0] & Method]>
type Responses<K extends RouteKey> = Operation<K> extends { responses: infer R } ? R : never
type SuccessStatus<K extends RouteKey> = keyof Responses<K> & (200 | 201 | 202 | 204)
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : undefined
type RequestJson<K extends RouteKey> =
  Operation<K> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : undefined

export type SuccessReply<K extends RouteKey> = {
  [S in SuccessStatus<K>]: { status: S; body: JsonOf<Responses<K>[S]>; headers?: Record<string, string> }
}[SuccessStatus<K>]

export interface ProblemReply {
  problem: { status: number; code: string; detail?: string; errors?: FieldError[]; request_id?: string }
  headers?: Record<string, string>
}

export type Reply<K extends RouteKey> = SuccessReply<K> | ProblemReply

export interface MockRequest<K extends RouteKey> {
  url: URL
  params: Record<string, string>
  query: URLSearchParams
  headers: Headers
  json: RequestJson<K>
  /** The multipart form of a run (`files`, `inputs`, …), when the request sent one. */
  form: FormData | null
}

export type Handlers = {
  [K in RouteKey]?: (request: MockRequest<K>) => Reply<K> | Promise<Reply<K>>
}

export interface RecordedCall {
  key: string
  method: string
  path: string
  query: URLSearchParams
  headers: Headers
  json: unknown
  form: FormData | null
}

function matcher(template: string): RegExp {
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, '(?<$1>[^/]+)')
  return new RegExp(`^${pattern}$`)
}

/** What `toResponse` needs from any reply (the per-route types are checked at the handler). */
type AnyReply = { status: number; body?: unknown; headers?: Record<string, string> } | ProblemReply

function toResponse(reply: AnyReply): Response {
  if ('problem' in reply) {
    const p = reply.problem
    const body = {
      type: `urn:skriptoteket:problem:${p.code}`,
      title: 'Error',
      detail: p.detail ?? p.code,
      request_id: p.request_id ?? 'req-test',
      ...p,
    }
    return new Response(JSON.stringify(body), {
      status: p.status,
      headers: { 'Content-Type': 'application/problem+json', ...reply.headers },
    })
  }
  if (reply.status === 204) return new Response(null, { status: 204, headers: reply.headers })
  return new Response(JSON.stringify(reply.body), {
    status: reply.status,
    headers: { 'Content-Type': 'application/json', ...reply.headers },
  })
}

/** Stubs `fetch`; unmatched requests fail the call with a 501 problem and are listed in `unhandled`. */
export function mockApi(handlers: Handlers) {
  const routes = Object.entries(handlers).map(([key, handler]) => {
    const [method, template] = key.split(' ') as [string, string]
    return {
      key,
      method,
      regex: matcher(template),
      handler: handler as (r: MockRequest<RouteKey>) => AnyReply | Promise<AnyReply>,
    }
  })
  const calls: RecordedCall[] = []
  const unhandled: string[] = []

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init)
    const url = new URL(request.url, window.location.href)
    const multipart = (request.headers.get('Content-Type') ?? '').startsWith('multipart/form-data')
    const form = multipart ? await request.formData() : null
    const text = request.body && !multipart ? await request.text() : ''
    const json: unknown = text ? JSON.parse(text) : undefined
    for (const route of routes) {
      const match = route.method === request.method ? route.regex.exec(url.pathname) : null
      if (!match) continue
      calls.push({ key: route.key, method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, json, form })
      const reply = await route.handler({
        url,
        params: { ...match.groups },
        query: url.searchParams,
        headers: request.headers,
        json: json as never,
        form,
      })
      return toResponse(reply)
    }
    unhandled.push(`${request.method} ${url.pathname}`)
    return toResponse({ problem: { status: 501, code: 'unmocked', detail: `${request.method} ${url.pathname}` } })
  })
  vi.stubGlobal('fetch', fetchMock)

  return {
    fetch: fetchMock,
    calls,
    unhandled,
    /** The calls that reached `key`, in order. */
    callsTo: (key: RouteKey) => calls.filter((call) => call.key === key),
  }
}
