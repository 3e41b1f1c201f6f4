/** Prop types shared by the design-system components. */
export interface SelectOption<T extends string = string> {
  value: T
  label: string
  disabled?: boolean
}

export interface TableColumn<K extends string = string> {
  key: K
  label: string
  /** Right-align numbers and actions. */
  align?: 'start' | 'end'
  /** Hide the label on phones (when the cell speaks for itself, e.g. actions). */
  hideLabelOnMobile?: boolean
}

export type Tone = 'neutral' | 'primary' | 'success' | 'warning' | 'danger' | 'info'
