/** Schema-typed sample data for specs. */
import {
  asApiObject,
  type ActionField,
  type Batch,
  type BatchItem,
  type MeResponse,
  type PrivacyEvent,
  type Run,
  type ToolPage,
  type UiOutput,
  type User,
} from '@/api/types'

export function makeUser(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? `00000000-0000-4000-8000-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`
  return {
    id,
    email: 'anna@skola.se',
    display_name: 'Anna Andersson',
    role: 'user',
    disabled: false,
    created_at: '2026-11-01T08:00:00Z',
    updated_at: '2026-11-01T08:00:00Z',
    locked_until: null,
    ...overrides,
  }
}

export const ADMIN = makeUser({
  id: '00000000-0000-4000-8000-000000000001',
  email: 'admin@skola.se',
  display_name: 'Ada Admin',
  role: 'admin',
})

export function me(user: User = ADMIN, csrf = 'csrf-123'): MeResponse {
  return {
    user,
    csrf_token: csrf,
    expires_at: '2026-11-24T08:00:00Z',
    storage_used_bytes: 0,
    storage_quota_bytes: 1024 * 1024 * 1024,
  }
}

/** One page of any list (accounts, privacy events, …). */
export function page<T = User>(items: T[], total = items.length, offset = 0, limit = 25): { items: T[]; total: number; offset: number; limit: number } {
  return { items, total, offset, limit }
}

// --- Privacy log ---------------------------------------------------------------------------

export function makePrivacyEvent(
  overrides: Partial<Omit<PrivacyEvent, 'summary'>> & { summary?: Record<string, number> } = {},
): PrivacyEvent {
  const { summary, ...rest } = overrides
  return {
    id: `00000000-0000-7000-8000-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`,
    action: 'export',
    actor_id: ADMIN.id,
    subject_id: ADMIN.id,
    created_at: '2026-11-20T09:30:00Z',
    ...rest,
    summary: asApiObject(summary ?? { runs: 0, files: 0, bytes: 0 }),
  }
}

// --- Tools and runs -------------------------------------------------------------------------

export const TOOL_ID = '00000000-0000-4000-8000-0000000000a1'
export const VERSION_ID = '00000000-0000-4000-8000-0000000000b1'
export const RUN_ID = '00000000-0000-4000-8000-0000000000c1'

export function field(overrides: Partial<ActionField> & Pick<ActionField, 'name' | 'kind'>): ActionField {
  return { label: overrides.name, required: false, options: [], ...overrides }
}

export function makeToolPage(overrides: Partial<ToolPage> = {}): ToolPage {
  return {
    id: TOOL_ID,
    slug: 'betygsoversikt',
    title: 'Betygsöversikt',
    summary: 'Sammanfattar en CSV.',
    categories: [{ id: 'c1', slug: 'administration', name: 'Administration' }],
    professions: [{ id: 'p1', slug: 'larare', name: 'Lärare' }],
    version_id: VERSION_ID,
    version_number: 1,
    can_edit: false,
    input_schema: { files: { accept: ['.csv'], min: 1, max: 1, label: 'Resultat som CSV' }, fields: [] },
    settings_schema: {
      fields: [field({ name: 'separator', kind: 'enum', label: 'Avgränsare', options: [{ value: ',', label: 'Komma' }, { value: ';', label: 'Semikolon' }] })],
    },
    usage_instructions: '',
    usage_instructions_seen: false,
    favorite: false,
    last_run_at: null,
    ...overrides,
  }
}

/** A run; `outputs` are typed as the contract's output blocks. */
export function makeRun(overrides: Partial<Run> & { outputs?: UiOutput[] } = {}): Run {
  const { outputs, ...rest } = overrides
  return {
    id: RUN_ID,
    tool: { id: TOOL_ID, slug: 'betygsoversikt', title: 'Betygsöversikt' },
    version_id: VERSION_ID,
    context: 'production',
    status: 'succeeded',
    inputs: {},
    files: [{ name: 'resultat.csv', bytes: 1200 }],
    stdout: '',
    stderr: null,
    artifacts: [],
    created_at: '2026-11-23T08:00:00Z',
    started_at: '2026-11-23T08:00:01Z',
    finished_at: '2026-11-23T08:00:03Z',
    ui: outputs ? { outputs, next_actions: [], state: null } : null,
    ...rest,
  }
}

// --- Class mode --------------------------------------------------------------------------------

export const BATCH_ID = '00000000-0000-4000-8000-0000000000d1'

export function makeBatchItem(n: number, overrides: Partial<BatchItem> = {}): BatchItem {
  const runId = `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`
  return {
    run_id: runId,
    file: { name: `elev-${n}.csv`, bytes: 1200 },
    status: 'queued',
    error_summary: null,
    error_code: null,
    error_params: null,
    artifact_count: 0,
    run_url: `/api/runs/${runId}`,
    started_at: null,
    finished_at: null,
    ...overrides,
  }
}

/** A batch of `items`, its counts and `finished` worked out from them. */
export function makeBatch(items: BatchItem[], overrides: Partial<Batch> = {}): Batch {
  const counts = { queued: 0, running: 0, succeeded: 0, failed: 0, timed_out: 0, cancelled: 0 }
  for (const item of items) counts[item.status] += 1
  return {
    id: BATCH_ID,
    tool: { id: TOOL_ID, slug: 'betygsoversikt', title: 'Betygsöversikt' },
    item_count: items.length,
    counts,
    finished: counts.queued + counts.running === 0,
    artifacts_url: `/api/batches/${BATCH_ID}/artifacts.zip`,
    items,
    created_at: '2026-11-23T08:00:00Z',
    ...overrides,
  }
}
