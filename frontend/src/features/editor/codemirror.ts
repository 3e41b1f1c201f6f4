/**
 * The code-editor chunk: CodeMirror 6 with Python highlighting, loaded only when the editor
 * opens. `createPythonEditor` mounts one editor and hands back the few controls the page needs.
 */
import { python } from '@codemirror/lang-python'
import { Annotation, EditorState } from '@codemirror/state'
import { EditorView, basicSetup } from 'codemirror'

/** Marks changes that come from the page (load, reload), not from typing. */
const external = Annotation.define<boolean>()

export interface PythonEditor {
  setDoc: (text: string) => void
  setReadOnly: (readOnly: boolean) => void
  goToLine: (line: number, column?: number) => void
  focus: () => void
  destroy: () => void
}

export function createPythonEditor(
  parent: HTMLElement,
  options: { doc: string; readOnly: boolean; label: string; onChange: (text: string) => void },
): PythonEditor {
  let readOnly = options.readOnly
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        basicSetup,
        python(),
        EditorState.tabSize.of(4),
        EditorView.contentAttributes.of({ 'aria-label': options.label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString())
        }),
        EditorView.theme({
          '&': { fontSize: '0.875rem', height: '100%' },
          '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.55' },
          '.cm-content': { minHeight: '18rem' },
        }),
        // Read-only drafts: block edits but keep selection and copying.
        EditorState.transactionFilter.of((tr) => (readOnly && tr.docChanged && !tr.annotation(external) ? [] : tr)),
      ],
    }),
  })

  return {
    setDoc(text) {
      if (text === view.state.doc.toString()) return
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, annotations: external.of(true) })
    },
    setReadOnly(value) {
      readOnly = value
    },
    goToLine(line, column = 1) {
      const doc = view.state.doc
      const at = doc.line(Math.min(Math.max(1, line), doc.lines))
      const pos = Math.min(at.from + Math.max(0, column - 1), at.to)
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true })
      view.focus()
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  }
}
