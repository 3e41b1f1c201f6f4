/** Routes and the one navigation guard. `meta.requiresAuth` / `meta.minRole` say who may enter. */
import { createRouter, createWebHistory, type Router, type RouteRecordRaw } from 'vue-router'
import type { Role } from '@/auth/roles'
import type { MessageKey } from '@/i18n'
import { authGuard } from './guard'

declare module 'vue-router' {
  interface RouteMeta {
    requiresAuth?: boolean
    minRole?: Role
    /** The page title (document.title) */
    title?: MessageKey
    /** `bare`: no app shell (sign-in); `wide`: the shell with room for side-by-side panes (editor). */
    layout?: 'bare' | 'wide'
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'catalog' } },
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { layout: 'bare', title: 'login.title' },
  },
  {
    path: '/catalog',
    name: 'catalog',
    component: () => import('@/views/CatalogView.vue'),
    meta: { requiresAuth: true, title: 'catalog.title' },
  },
  {
    path: '/tools/:slug',
    name: 'tool',
    component: () => import('@/views/ToolView.vue'),
    meta: { requiresAuth: true, title: 'tool.pageTitle' },
  },
  {
    path: '/runs/:id',
    name: 'run',
    component: () => import('@/views/RunView.vue'),
    meta: { requiresAuth: true, title: 'runs.title' },
  },
  {
    path: '/batches/:id',
    name: 'batch',
    component: () => import('@/views/BatchView.vue'),
    meta: { requiresAuth: true, title: 'batch.title' },
  },
  {
    path: '/my-runs',
    name: 'my-runs',
    component: () => import('@/views/MyRunsView.vue'),
    meta: { requiresAuth: true, title: 'myRuns.title' },
  },
  {
    path: '/my-tools',
    name: 'my-tools',
    component: () => import('@/views/MyToolsView.vue'),
    meta: { requiresAuth: true, minRole: 'contributor', title: 'myTools.title' },
  },
  {
    path: '/my-tools/:toolId',
    name: 'tool-admin',
    component: () => import('@/views/ToolAdminView.vue'),
    meta: { requiresAuth: true, minRole: 'contributor', title: 'authoring.pageTitle' },
  },
  {
    path: '/my-tools/:toolId/versions/:versionId',
    name: 'version-editor',
    component: () => import('@/views/VersionEditorView.vue'),
    meta: { requiresAuth: true, minRole: 'contributor', title: 'editor.pageTitle', layout: 'wide' },
  },
  {
    path: '/admin/review',
    name: 'review',
    component: () => import('@/views/ReviewView.vue'),
    meta: { requiresAuth: true, minRole: 'admin', title: 'review.title' },
  },
  {
    path: '/admin/users',
    name: 'users',
    component: () => import('@/views/AdminUsersView.vue'),
    meta: { requiresAuth: true, minRole: 'admin', title: 'users.title' },
  },
  {
    path: '/admin/privacy',
    name: 'privacy',
    component: () => import('@/views/AdminPrivacyView.vue'),
    meta: { requiresAuth: true, minRole: 'admin', title: 'privacyLog.title' },
  },
  {
    path: '/profile',
    name: 'profile',
    component: () => import('@/views/ProfileView.vue'),
    meta: { requiresAuth: true, title: 'profile.title' },
  },
  {
    path: '/forbidden',
    name: 'forbidden',
    component: () => import('@/views/ForbiddenView.vue'),
    meta: { requiresAuth: true, title: 'forbidden.title' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { requiresAuth: true, title: 'notFound.title' },
  },
]

export function createAppRouter(history = createWebHistory()): Router {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  })
  router.beforeEach(authGuard)
  return router
}
