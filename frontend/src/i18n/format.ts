/** Dates, times and sizes the Swedish way (dates in the browser's time zone). */
const dateFormat = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'medium' })
const dateTimeFormat = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'medium', timeStyle: 'short' })
const timeFormat = new Intl.DateTimeFormat('sv-SE', { timeStyle: 'short' })

export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso))
}

export function formatDateTime(iso: string): string {
  return dateTimeFormat.format(new Date(iso))
}

export function formatTime(iso: string): string {
  return timeFormat.format(new Date(iso))
}

const sizeFormat = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 1 })

/** Bytes in powers of 1024, as the server counts them: "0 B", "12,5 MiB", "1 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  if (bytes < 1024) return `${bytes} B`
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${sizeFormat.format(value)} ${units[unit]}`
}
