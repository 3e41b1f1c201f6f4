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
