/** One discriminated loading status instead of `loading`/`error`/`data` booleans. */
import { ApiProblem } from '@/api/problem'

export type Status<T> =
  | { state: 'idle' }
  | { state: 'loading'; previous: T | null }
  | { state: 'ready'; data: T }
  | { state: 'error'; problem: ApiProblem }

/** The data to show: the fresh data, or the previous page while the next one loads. */
export function shownData<T>(status: Status<T>): T | null {
  if (status.state === 'ready') return status.data
  if (status.state === 'loading') return status.previous
  return null
}

export function toProblem(e: unknown): ApiProblem {
  return e instanceof ApiProblem ? e : ApiProblem.network(e)
}
