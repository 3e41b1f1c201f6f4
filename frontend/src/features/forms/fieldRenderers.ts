/** One renderer per field kind. `satisfies` makes a kind added to the API fail the type-check here. */
import type { Component } from 'vue'
import type { FieldKind } from '@/api/types'
import BooleanField from './fields/BooleanField.vue'
import EnumField from './fields/EnumField.vue'
import MultiEnumField from './fields/MultiEnumField.vue'
import NumberField from './fields/NumberField.vue'
import StringField from './fields/StringField.vue'
import TextAreaField from './fields/TextAreaField.vue'

export const FIELD_RENDERERS = {
  string: StringField,
  text: TextAreaField,
  integer: NumberField,
  number: NumberField,
  boolean: BooleanField,
  enum: EnumField,
  multi_enum: MultiEnumField,
} as const satisfies { [K in FieldKind]: Component }
