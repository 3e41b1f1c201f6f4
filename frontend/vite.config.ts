import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
// `vitest/config` re-exports Vite's defineConfig with the `test` block typed (TOOLCHAIN).
import { defineConfig } from 'vitest/config'

/** Where `npm run dev` forwards `/api` (the backend's default bind address). */
const backend = process.env.SKRIPTOTEKET_BACKEND_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    // Same origin for the browser, so the HttpOnly `Path=/api` cookie just works.
    proxy: { '/api': { target: backend, changeOrigin: false } },
  },
  build: {
    target: 'es2022',
    sourcemap: true,
    // The chart (vega) and code-editor (CodeMirror) chunks are large but loaded only on demand.
    chunkSizeWarningLimit: 1000,
  },
  test: {
    environment: 'happy-dom',
    environmentOptions: { happyDOM: { url: 'http://localhost:5173/' } },
    include: ['src/**/*.spec.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
})
