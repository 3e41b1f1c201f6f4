/** The user-administration calls, typed by the generated schema. */
import { api, unwrap } from '@/api/client'
import type { CreateUserRequest, UpdateUserRequest, User, UsersPage } from '@/api/types'

export function listUsers(limit: number, offset: number): Promise<UsersPage> {
  return unwrap(api.GET('/api/admin/users', { params: { query: { limit, offset } } }))
}

export function getUser(id: string): Promise<User> {
  return unwrap(api.GET('/api/admin/users/{id}', { params: { path: { id } } }))
}

export function createUser(body: CreateUserRequest): Promise<User> {
  return unwrap(api.POST('/api/admin/users', { body }))
}

export function updateUser(id: string, body: UpdateUserRequest): Promise<User> {
  return unwrap(api.PATCH('/api/admin/users/{id}', { params: { path: { id } }, body }))
}
