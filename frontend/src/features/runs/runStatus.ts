/** How each run status looks: its Swedish label and badge tone (exhaustive over RunStatus). */
import type { RunStatus } from '@/api/types'
import type { Tone } from '@/components/ui'
import { t, type MessageKey } from '@/i18n'

export const RUN_STATUS: { [S in RunStatus]: { label: MessageKey; tone: Tone } } = {
  queued: { label: 'runStatus.queued', tone: 'neutral' },
  running: { label: 'runStatus.running', tone: 'info' },
  succeeded: { label: 'runStatus.succeeded', tone: 'success' },
  failed: { label: 'runStatus.failed', tone: 'danger' },
  timed_out: { label: 'runStatus.timed_out', tone: 'danger' },
  cancelled: { label: 'runStatus.cancelled', tone: 'warning' },
}

export function runStatusLabel(status: RunStatus): string {
  return t(RUN_STATUS[status].label)
}

/** "2,4 s" / "1 min 5 s" between two instants. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000
  if (seconds < 60) return `${new Intl.NumberFormat('sv-SE', { maximumFractionDigits: seconds < 10 ? 1 : 0 }).format(seconds)} s`
  const whole = Math.round(seconds)
  return `${Math.floor(whole / 60)} min ${whole % 60} s`
}
