/** The one error type of the API client: an RFC 9457 problem, or one made up for network failures. */
import type { FieldError, ProblemDocument } from './types'

const PROBLEM_JSON = 'application/problem+json'

export class ApiProblem extends Error {
  override readonly name = 'ApiProblem'
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string
  readonly request_id: string | null
  readonly errors: FieldError[]
  /** From the `Retry-After` header (429/503), in seconds. */
  readonly retryAfterSeconds: number | null

  constructor(doc: ProblemDocument, retryAfterSeconds: number | null = null) {
    super(`${doc.status} ${doc.code}: ${doc.detail}`)
    this.status = doc.status
    this.code = doc.code
    this.title = doc.title
    this.detail = doc.detail
    this.request_id = doc.request_id ?? null
    this.errors = doc.errors ?? []
    this.retryAfterSeconds = retryAfterSeconds
  }

  /** Reads a failed response. Bodies that are not problems (a proxy's HTML page) still give one. */
  static async fromResponse(response: Response): Promise<ApiProblem> {
    const retryAfter = parseRetryAfter(response.headers.get('Retry-After'))
    const type = response.headers.get('Content-Type') ?? ''
    const requestId = response.headers.get('X-Request-Id')
    if (type.startsWith(PROBLEM_JSON) || type.startsWith('application/json')) {
      try {
        const body: unknown = await response.clone().json()
        if (isProblemDocument(body)) {
          return new ApiProblem({ ...body, request_id: body.request_id ?? requestId }, retryAfter)
        }
      } catch {
        // fall through to the synthetic problem below
      }
    }
    return new ApiProblem(
      {
        type: 'about:blank',
        title: response.statusText || 'Error',
        status: response.status,
        detail: response.statusText || `HTTP ${response.status}`,
        code: `http_${response.status}`,
        request_id: requestId,
      },
      retryAfter,
    )
  }

  /** The request never got an answer (offline, DNS, connection refused). */
  static network(cause: unknown): ApiProblem {
    return new ApiProblem({
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: cause instanceof Error ? cause.message : String(cause),
      code: 'network_error',
    })
  }
}

function isProblemDocument(body: unknown): body is ProblemDocument {
  if (typeof body !== 'object' || body === null) return false
  const b = body as Record<string, unknown>
  return typeof b.status === 'number' && typeof b.code === 'string'
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000))
}

export function isApiProblem(e: unknown): e is ApiProblem {
  return e instanceof ApiProblem
}
