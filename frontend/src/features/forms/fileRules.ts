/**
 * The upload limits of a run (SPEC §6: 20 files, 20 MB each, 50 MB together; the tool's
 * accepted extensions and min/max count) and of class mode (100 files, 200 MB together, each
 * file its own run), checked in the browser before anything is sent.
 */
import type { FileRule } from '@/api/types'
import { t } from '@/i18n'

export interface UploadLimits {
  maxFiles: number
  maxFileBytes: number
  maxTotalBytes: number
}

export const UPLOAD_LIMITS: UploadLimits = { maxFiles: 20, maxFileBytes: 20_000_000, maxTotalBytes: 50_000_000 }
/** Class mode (`POST /api/tools/{slug}/batch`): one run per file. */
export const BATCH_LIMITS: UploadLimits = { maxFiles: 100, maxFileBytes: 20_000_000, maxTotalBytes: 200_000_000 }

/** Whether the tool can run once per file: it takes exactly one file at a time (min ≤ 1 ≤ max). */
export function canRunPerFile(rule: FileRule | null | undefined): boolean {
  return Boolean(rule) && (rule?.min ?? 0) <= 1 && (rule?.max ?? 1) >= 1
}

/** The rule of the drop zone in class mode: the tool's file types, one to 100 files. */
export function perFileRule(rule: FileRule): FileRule {
  return { ...rule, min: 1, max: BATCH_LIMITS.maxFiles }
}

export interface FileLike {
  name: string
  size: number
}

/** How many files the tool takes at most, within the platform's cap. */
export function maxFiles(rule: FileRule, limits: UploadLimits = UPLOAD_LIMITS): number {
  return Math.min(rule.max ?? 1, limits.maxFiles)
}

export function accepts(rule: FileRule, name: string): boolean {
  const accept = rule.accept ?? []
  const lower = name.toLowerCase()
  return accept.length === 0 || accept.some((ext) => lower.endsWith(ext.toLowerCase()))
}

/** A problem with one file (type or size), or null. */
export function fileProblem(rule: FileRule, file: FileLike, limits: UploadLimits = UPLOAD_LIMITS): string | null {
  if (!accepts(rule, file.name)) return t('files.wrongType', { name: file.name, accept: (rule.accept ?? []).join(', ') })
  if (file.size > limits.maxFileBytes) {
    return t('files.tooLarge', { name: file.name, max: formatBytes(limits.maxFileBytes) })
  }
  return null
}

/** The first problem with the chosen files as a whole, or null when they may be sent. */
export function filesProblem(rule: FileRule, files: readonly FileLike[], limits: UploadLimits = UPLOAD_LIMITS): string | null {
  for (const file of files) {
    const problem = fileProblem(rule, file, limits)
    if (problem) return problem
  }
  const max = maxFiles(rule, limits)
  const min = rule.min ?? 0
  if (files.length > max) return max === 1 ? t('files.tooManyOne') : t('files.tooMany', { max })
  if (files.length < min) return min === 1 ? t('files.needOne') : t('files.needMin', { min })
  const total = files.reduce((sum, f) => sum + f.size, 0)
  if (total > limits.maxTotalBytes) return t('files.totalTooLarge', { max: formatBytes(limits.maxTotalBytes) })
  return null
}

const units = ['B', 'kB', 'MB', 'GB'] as const

/** Sizes in decimal units, the way the limits are stated ("20 MB"). */
export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1
  return `${new Intl.NumberFormat('sv-SE', { maximumFractionDigits: digits }).format(value)} ${units[unit]}`
}

/** The limits in words, shown above the drop zone before anything is chosen. */
export function limitsText(rule: FileRule, limits: UploadLimits = UPLOAD_LIMITS): string[] {
  const max = maxFiles(rule, limits)
  const min = rule.min ?? 0
  const lines: string[] = []
  if (min > 0 && min === max) lines.push(min === 1 ? t('files.exactlyOne') : t('files.exactly', { count: min }))
  else if (min > 0) lines.push(t('files.between', { min, max }))
  else lines.push(max === 1 ? t('files.optionalOne') : t('files.upTo', { max }))
  const accept = rule.accept ?? []
  if (accept.length) lines.push(t('files.accepted', { accept: accept.join(', ') }))
  lines.push(
    max > 1
      ? t('files.sizeLimits', { file: formatBytes(limits.maxFileBytes), total: formatBytes(limits.maxTotalBytes) })
      : t('files.sizeLimitOne', { file: formatBytes(limits.maxFileBytes) }),
  )
  return lines
}
