import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import type { ActionField } from '@/api/types'
import { field } from '@/test/fixtures'
import FileDropzone from './FileDropzone.vue'
import { initialValues, type FormErrors, type FormValues } from './formValues'
import SchemaForm from './SchemaForm.vue'

afterEach(() => {
  document.body.innerHTML = ''
})

const FIELDS: ActionField[] = [
  field({ name: 'klass', kind: 'string', label: 'Klass', required: true, max_length: 10 }),
  field({ name: 'names', kind: 'text', label: 'Namn', help: 'Ett namn per rad.' }),
  field({ name: 'size', kind: 'integer', label: 'Elever per grupp', required: true, min: 2, max: 10 }),
  field({ name: 'weight', kind: 'number', label: 'Vikt' }),
  field({ name: 'anon', kind: 'boolean', label: 'Anonymisera' }),
  field({ name: 'subject', kind: 'enum', label: 'Ämne', required: true, options: [{ value: 'ma', label: 'Matematik' }, { value: 'sv', label: 'Svenska' }] }),
  field({ name: 'days', kind: 'multi_enum', label: 'Dagar', options: [{ value: 'mon', label: 'Måndag' }, { value: 'tue', label: 'Tisdag' }] }),
]

function mountForm(errors: FormErrors = {}) {
  const values = ref<FormValues>(initialValues(FIELDS, { size: 3 }))
  const Host = defineComponent({
    setup: () => () => h(SchemaForm, { fields: FIELDS, errors, modelValue: values.value, 'onUpdate:modelValue': (v: FormValues) => (values.value = v) }),
  })
  return { wrapper: mount(Host, { attachTo: document.body }), values }
}

describe('SchemaForm', () => {
  it('draws each field kind with its own control, labelled, with hints and "(valfritt)"', () => {
    const { wrapper } = mountForm()
    const control = (name: string) => wrapper.find(`[name="${name}"]`)
    expect(control('klass').element.tagName).toBe('INPUT')
    expect(control('klass').attributes('maxlength')).toBe('10')
    expect(control('names').element.tagName).toBe('TEXTAREA')
    expect(control('size').attributes('inputmode')).toBe('numeric')
    expect((control('size').element as HTMLInputElement).value).toBe('3')
    expect(control('weight').attributes('inputmode')).toBe('decimal')
    expect(control('anon').attributes('type')).toBe('checkbox')
    expect(control('subject').element.tagName).toBe('SELECT')
    expect(wrapper.findAll('[name="days"]')).toHaveLength(2)
    expect(wrapper.find('fieldset legend').text()).toContain('Dagar')

    const label = (name: string) => document.querySelector(`label[for="${control(name).attributes('id')}"]`)?.textContent ?? ''
    expect(label('klass')).toBe('Klass')
    expect(label('names')).toContain('(valfritt)')
    expect(label('anon')).toBe('Anonymisera')
    const hintOf = (name: string) => document.getElementById(control(name).attributes('aria-describedby')!.split(' ').pop()!)?.textContent
    expect(hintOf('names')).toBe('Ett namn per rad.')
    expect(hintOf('size')).toBe('Mellan 2 och 10.')
    expect(hintOf('klass')).toBe('Högst 10 tecken.')
  })

  it('writes what the user enters into the values, per kind', async () => {
    const { wrapper, values } = mountForm()
    await wrapper.find('[name="klass"]').setValue('7B')
    await wrapper.find('[name="names"]').setValue('Anna\nBo')
    await wrapper.find('[name="size"]').setValue('4')
    await wrapper.find('[name="anon"]').setValue(true)
    await wrapper.find('[name="subject"]').setValue('sv')
    await wrapper.findAll('[name="days"]')[1]!.setValue(true)
    expect(values.value).toEqual({ klass: '7B', names: 'Anna\nBo', size: '4', weight: '', anon: true, subject: 'sv', days: ['tue'] })
  })

  it('shows errors at their fields and marks them invalid', async () => {
    const { wrapper } = mountForm({ size: 'Får vara högst 10.', subject: 'Fyll i fältet.' })
    await flushPromises()
    const size = wrapper.find('[name="size"]')
    expect(size.attributes('aria-invalid')).toBe('true')
    expect(document.getElementById(size.attributes('aria-describedby')!.split(' ')[0]!)?.textContent).toContain('Får vara högst 10.')
    expect(wrapper.find('[name="klass"]').attributes('aria-invalid')).toBeUndefined()
    expect(wrapper.find('[data-field-error="subject"]').text()).toContain('Fyll i fältet.')
  })
})

describe('FileDropzone', () => {
  const rule = { accept: ['.csv'], min: 1, max: 3, label: 'Klasslistor' }

  function mountZone(max = 3) {
    const files = ref<File[]>([])
    const Host = defineComponent({
      setup: () => () => h(FileDropzone, { rule: { ...rule, max }, modelValue: files.value, 'onUpdate:modelValue': (f: File[]) => (files.value = f) }),
    })
    return { wrapper: mount(Host, { attachTo: document.body, global: { stubs: { RouterLink: RouterLinkStub } } }), files }
  }

  function fileList(...files: File[]): FileList {
    return Object.assign([...files], { item: (i: number) => files[i] ?? null }) as unknown as FileList
  }

  it('states the limits and offers a real button for the file picker', () => {
    const { wrapper } = mountZone()
    expect(wrapper.text()).toContain('Klasslistor')
    expect(wrapper.text()).toContain('1–3 filer · Filtyper: .csv · Högst 20 MB per fil och 50 MB totalt')
    const input = wrapper.find('input[type="file"]')
    expect(input.attributes('accept')).toBe('.csv')
    expect(input.attributes('multiple')).toBeDefined()
    expect(wrapper.find('.dropzone button').text()).toBe('Välj filer')
  })

  it('takes dropped files, shows each with its size and problem, and removes one on request', async () => {
    const { wrapper, files } = mountZone()
    const zone = wrapper.find('.dropzone')
    await zone.trigger('dragover')
    expect(zone.classes()).toContain('dropzone--active')
    const good = new File(['a,b\n1,2\n'], 'elever.csv')
    const bad = new File(['x'], 'bild.png')
    await zone.trigger('drop', { dataTransfer: { files: fileList(good, bad) } })
    expect(files.value.map((f) => f.name)).toEqual(['elever.csv', 'bild.png'])
    const items = wrapper.findAll('.dropzone-field__file')
    expect(items[0]!.text()).toContain('8 B')
    expect(items[1]!.text()).toContain('har fel filtyp')
    await items[1]!.find('button[aria-label="Ta bort bild.png"]').trigger('click')
    expect(files.value.map((f) => f.name)).toEqual(['elever.csv'])
  })

  it('swaps the file of a one-file tool instead of collecting', async () => {
    const { wrapper, files } = mountZone(1)
    const zone = wrapper.find('.dropzone')
    await zone.trigger('drop', { dataTransfer: { files: fileList(new File(['1'], 'a.csv')) } })
    await zone.trigger('drop', { dataTransfer: { files: fileList(new File(['2'], 'b.csv')) } })
    expect(files.value.map((f) => f.name)).toEqual(['b.csv'])
    expect(wrapper.find('input[type="file"]').attributes('multiple')).toBeUndefined()
  })
})
