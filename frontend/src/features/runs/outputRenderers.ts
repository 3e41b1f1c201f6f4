/** One renderer per output kind; `satisfies` makes a kind added to the contract fail the type-check. */
import type { Component } from 'vue'
import type { OutputKind } from '@/api/types'
import HtmlSandboxOutput from './outputs/HtmlSandboxOutput.vue'
import JsonOutput from './outputs/JsonOutput.vue'
import MarkdownOutput from './outputs/MarkdownOutput.vue'
import NoticeOutput from './outputs/NoticeOutput.vue'
import TableOutput from './outputs/TableOutput.vue'
import VegaLiteOutput from './outputs/VegaLiteOutput.vue'

export const OUTPUT_RENDERERS = {
  notice: NoticeOutput,
  markdown: MarkdownOutput,
  table: TableOutput,
  json: JsonOutput,
  html_sandboxed: HtmlSandboxOutput,
  vega_lite: VegaLiteOutput,
} as const satisfies { [K in OutputKind]: Component }
