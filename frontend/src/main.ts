/** Boot: Pinia, the router (whose guard loads the session), then mount once the first route is known. */
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { t } from './i18n'
import { createAppRouter } from './router'
import { installPageFocus, installSignedOutHandler } from './router/session'
import './styles/tokens.css'
import './styles/base.css'

const app = createApp(App)
app.use(createPinia())
const router = createAppRouter()
installSignedOutHandler(router)
installPageFocus(router, (key) => (key ? `${t(key)} – ${t('app.name')}` : t('app.name')))
app.use(router)

void router.isReady().then(() => app.mount('#app'))
