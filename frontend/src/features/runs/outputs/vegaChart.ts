/**
 * The chart chunk (vega, vega-lite, vega-embed), loaded only when a result has a chart. Its
 * loader refuses every network and file access: the backend already drops specs with `url`
 * data, and this makes sure nothing else (images, remote data via transforms) can fetch.
 */
import { loader, type Loader } from 'vega'
import embed, { type VisualizationSpec } from 'vega-embed'

export class NetworkRefused extends Error {
  override readonly name = 'NetworkRefused'
}

export function offlineLoader(): Loader {
  const refuse = (what: unknown): Promise<never> => Promise.reject(new NetworkRefused(`network access refused: ${String(what)}`))
  return Object.assign(loader(), { load: refuse, sanitize: refuse, http: refuse, file: refuse }) as Loader
}

/** Draws `spec` into `el` as SVG; returns the clean-up function. */
export async function renderVegaLite(el: HTMLElement, spec: object): Promise<() => void> {
  // A plain copy: the spec may be a Vue proxy, which vega-lite's structuredClone cannot clone.
  const plain = JSON.parse(JSON.stringify(spec)) as VisualizationSpec
  const result = await embed(el, plain, {
    mode: 'vega-lite',
    renderer: 'svg',
    actions: false,
    loader: offlineLoader(),
    // vega-embed would otherwise fetch nothing, but say so: no theme or i18n downloads either.
    downloadFileName: 'diagram',
  })
  return () => result.finalize()
}
