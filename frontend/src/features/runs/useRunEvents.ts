/**
 * Follows a run until it ends. Server-sent events first (`status`, `output`, `progress` (kept
 * as the run's `progress`, as `GET /api/runs/{id}` shows it while it runs), then `run` with
 * the final run, after which the stream ends and we close it, so EventSource never reconnects);
 * if the stream fails before the end, polling `GET /api/runs/{id}` every `pollMs` takes over.
 */
import { getCurrentScope, onScopeDispose, ref } from 'vue'
import { isFinal, type Run, type RunProgress, type RunStatus } from '@/api/types'
import { toProblem } from '@/composables/status'
import { getRun, runEventsUrl } from './runsApi'

export interface LogChunk {
  stream: 'stdout' | 'stderr'
  text: string
}

/** `live`: events arrive; `polling`: the stream failed, GET every few seconds; `closed`: the run ended. */
export type Connection = 'idle' | 'live' | 'polling' | 'closed'

export const POLL_MS = 1500

export function useRunEvents(options: { pollMs?: number } = {}) {
  const pollMs = options.pollMs ?? POLL_MS
  const logs = ref<LogChunk[]>([])
  const connection = ref<Connection>('idle')
  let source: EventSource | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let current: Run | null = null
  let onUpdate: (run: Run) => void = () => {}
  let generation = 0

  function update(run: Run): void {
    current = run
    onUpdate(run)
  }

  function append(chunk: LogChunk): void {
    const last = logs.value[logs.value.length - 1]
    // Chunks of one stream in a row are one block, so the log is not thousands of elements.
    if (last && last.stream === chunk.stream) last.text += chunk.text
    else logs.value.push({ ...chunk })
  }

  function closeSource(): void {
    source?.close()
    source = null
  }

  function stop(): void {
    generation += 1
    closeSource()
    if (timer !== null) clearTimeout(timer)
    timer = null
    if (connection.value !== 'idle') connection.value = 'closed'
  }

  function finish(run: Run): void {
    update(run)
    stop()
    connection.value = 'closed'
  }

  function poll(id: string, gen: number): void {
    timer = setTimeout(async () => {
      if (gen !== generation) return
      try {
        const run = await getRun(id)
        if (gen !== generation) return
        if (isFinal(run.status)) return finish(run)
        update(run)
      } catch (e) {
        // A 4xx will not heal by asking again (the run is gone, or so is the session).
        const problem = toProblem(e)
        if (problem.status >= 400 && problem.status < 500) return stop()
      }
      if (gen === generation) poll(id, gen)
    }, pollMs)
  }

  function startPolling(id: string, gen: number): void {
    closeSource()
    connection.value = 'polling'
    poll(id, gen)
  }

  /** Follows `run` (not yet final); `listener` gets every newer view of it. */
  function follow(run: Run, listener: (run: Run) => void): void {
    stop()
    const gen = generation
    logs.value = []
    current = run
    onUpdate = listener
    if (isFinal(run.status)) {
      connection.value = 'closed'
      return
    }
    if (typeof EventSource === 'undefined') return startPolling(run.id, gen)

    const es = new EventSource(runEventsUrl(run.id))
    source = es
    connection.value = 'live'
    es.addEventListener('status', (event) => {
      const data = parse<{ status?: RunStatus }>(event)
      if (gen === generation && current && data?.status && data.status !== current.status) {
        update({ ...current, status: data.status })
      }
    })
    es.addEventListener('output', (event) => {
      const data = parse<LogChunk>(event)
      if (gen === generation && data && (data.stream === 'stdout' || data.stream === 'stderr')) append(data)
    })
    es.addEventListener('progress', (event) => {
      const data = parse<RunProgress>(event)
      if (gen === generation && current && data && typeof data.done === 'number') update({ ...current, progress: data })
    })
    es.addEventListener('run', (event) => {
      const final = parse<Run>(event)
      if (gen === generation && final) finish(final)
    })
    es.onerror = () => {
      // The stream broke before the final `run` event: do not let EventSource retry forever.
      if (gen === generation && source === es) startPolling(run.id, gen)
    }
  }

  if (getCurrentScope()) onScopeDispose(stop)

  return { logs, connection, follow, stop }
}

function parse<T>(event: Event): T | null {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T
  } catch {
    return null
  }
}
