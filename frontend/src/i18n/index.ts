/** A tiny typed translation helper over the one Swedish message table (sv.ts). */
import { sv } from './sv'

type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>
}[keyof T & string]

/** Every message key, e.g. `'login.title'`; a typo fails the type-check. */
export type MessageKey = Leaves<typeof sv>
/** Keys that have `.one` and `.other` forms. */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer B}.one` ? B : never) : never
export type Params = Record<string, string | number>

function lookup(key: string): string {
  let node: unknown = sv
  for (const part of key.split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined
  }
  return typeof node === 'string' ? node : key
}

function fill(text: string, params?: Params): string {
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}

/** The Swedish text for `key` with `{placeholders}` filled in. */
export function t(key: MessageKey, params?: Params): string {
  return fill(lookup(key), params)
}

/** The singular or plural form of `key` for `count` (`{count}` is filled in too). */
export function tc(key: PluralKey, count: number, params?: Params): string {
  const form: MessageKey = count === 1 ? `${key}.one` : `${key}.other`
  return t(form, { count, ...params })
}
