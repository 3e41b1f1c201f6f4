/** Names for the generated schema's types, so the rest of the app never re-declares them. */
import type { components } from './schema'

type Schemas = components['schemas']

export type User = Schemas['UserResponse']
export type UsersPage = Schemas['PageResponse_UserResponse']
export type CreateUserRequest = Schemas['CreateUserRequest']
export type UpdateUserRequest = Schemas['UpdateUserRequest']
export type LoginRequest = Schemas['LoginRequest']
export type LoginResponse = Schemas['LoginResponse']
export type MeResponse = Schemas['MeResponse']
export type ProblemDocument = Schemas['Problem']
export type FieldError = Schemas['FieldError']

// Catalog and tool page
export type Taxon = Schemas['TaxonResponse']
export type ToolSummary = Schemas['ToolSummary']
export type ToolsPage = Schemas['PageResponse_ToolSummary']
export type ToolPage = Schemas['ToolPageResponse']
export type InputSchema = Schemas['InputSchema']
export type FileRule = Schemas['FileRule']
export type SettingsSchema = Schemas['SettingsSchema']
export type SettingsResponse = Schemas['SettingsResponse']

// Forms (run form, settings, next actions)
export type ActionField = Schemas['ActionField']
export type FieldKind = Schemas['FieldKind']
export type EnumOption = Schemas['EnumOption']
export type NextAction = Schemas['NextAction']

// Runs
export type Run = Schemas['RunResponse']
export type RunSummary = Schemas['RunSummaryResponse']
export type RunsPage = Schemas['PageResponse_RunSummaryResponse']
export type RunStatus = Schemas['RunStatus']
export type RunProgress = Schemas['RunProgress']
export type RunContext = Schemas['RunContext']
export type Artifact = Schemas['ArtifactResponse']
export type UiPayload = Schemas['UiPayload']
export type UiOutput = Schemas['UiOutput']
export type OutputKind = UiOutput['kind']
/** One output block of the given kind. */
export type OutputOf<K extends OutputKind> = Extract<UiOutput, { kind: K }>
export type NoticeLevel = Schemas['NoticeLevel']
export type ErrorCode = Schemas['ErrorCode']
export type ErrorParams = Schemas['ErrorParams']
export type FileCap = Schemas['FileCap']

// Class mode: one run per file
export type Batch = Schemas['BatchResponse']
export type BatchItem = Schemas['BatchItemResponse']
export type BatchCounts = Schemas['BatchCounts']

// Privacy: export and erase
export type Erased = Schemas['ErasedResponse']
export type ErasedUser = Schemas['ErasedUserResponse']
export type PrivacyEvent = Schemas['PrivacyEventResponse']
export type PrivacyEventsPage = Schemas['PageResponse_PrivacyEventResponse']

// Authoring
export type AdminTool = Schemas['AdminToolResponse']
export type VersionSummary = Schemas['VersionSummary']
export type Version = Schemas['VersionResponse']
export type VersionState = Schemas['VersionState']
export type VersionEvent = Schemas['VersionEventResponse']
export type Maintainer = Schemas['MaintainerResponse']
export type ReviewItem = Schemas['ReviewItem']
export type CreateToolRequest = Schemas['CreateToolRequest']
export type CreateToolResponse = Schemas['CreateToolResponse']
export type UpdateToolRequest = Schemas['UpdateToolRequest']
export type SaveVersionRequest = Schemas['SaveVersionRequest']

/**
 * A JSON object. The document declares free-form objects (`inputs`, `values`, `rows`, `spec`,
 * `state`) as bare `type: object`, which openapi-typescript turns into `Record<string, never>`;
 * values cross that boundary through `asApiObject`/`fromApiObject` only.
 */
export type JsonObject = Record<string, unknown>

/** Hands a JSON object to a generated type whose free-form object is `Record<string, never>`. */
export function asApiObject(value: JsonObject): Record<string, never> {
  return value as Record<string, never>
}

/** Reads a free-form object of the API as what it is: any JSON object. */
export function fromApiObject(value: Record<string, never> | null | undefined): JsonObject {
  return (value ?? {}) as JsonObject
}

/** The run statuses after which nothing changes any more. */
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'timed_out', 'cancelled']

export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status)
}
