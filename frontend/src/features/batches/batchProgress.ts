/** How far a batch has come, in words: "12 av 30 klara" and how many items are in each state. */
import type { Batch, BatchCounts, BatchItem, RunStatus } from '@/api/types'
import type { Tone } from '@/components/ui'
import { t, tc } from '@/i18n'
import { RUN_STATUS } from '@/features/runs/runStatus'

/** The order the counts are listed in: what is done first, what is still to come last. */
const ORDER: readonly (keyof BatchCounts & RunStatus)[] = ['succeeded', 'failed', 'timed_out', 'cancelled', 'running', 'queued']

export interface CountLine {
  status: RunStatus
  tone: Tone
  text: string
}

/** Items that have ended, whichever way. */
export function doneCount(counts: BatchCounts): number {
  return counts.succeeded + counts.failed + counts.timed_out + counts.cancelled
}

/** Items still waiting or going (what "Avbryt alla" would stop). */
export function pendingCount(counts: BatchCounts): number {
  return counts.queued + counts.running
}

/** One line per state that has items, e.g. "10 klara", "2 misslyckades", "18 i kö". */
export function countLines(counts: BatchCounts): CountLine[] {
  return ORDER.filter((status) => counts[status] > 0).map((status) => ({
    status,
    tone: RUN_STATUS[status].tone,
    text: tc(`batch.counts.${status}`, counts[status]),
  }))
}

export function progressText(batch: Batch): string {
  return t('batch.progress', { done: doneCount(batch.counts), total: batch.item_count })
}

/** Result files the items have written so far (what the zip holds). */
export function artifactTotal(batch: Batch): number {
  return batch.items.reduce((sum, item) => sum + item.artifact_count, 0)
}

/** The item's input file's name, or its place in the batch. */
export function itemName(item: BatchItem, index: number): string {
  return item.file?.name ?? t('batch.unnamed', { n: index + 1 })
}
