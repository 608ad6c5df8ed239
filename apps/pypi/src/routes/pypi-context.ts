/** What every PyPI route needs: services, settings, where the app is mounted, the page source and the private index. */
import type { Context } from 'hono'
import { externalBaseUrl, type LarderEnv, type LarderServices } from '@larder/core'
import type { PrivateIndex } from '../private/private-index.js'
import type { PypiSettings } from '../settings/pypi-settings.js'
import type { PageSource } from '../simple/page-source.js'

export interface PypiContext {
  services: LarderServices
  settings: PypiSettings
  prefix: string
  pages: PageSource
  privateIndex: PrivateIndex
}

export type PypiRouteContext = Context<LarderEnv>

/** The app's URL as the client sees it, e.g. http://127.0.0.1:8080/pypi. */
export function appBase(c: PypiRouteContext, pypi: PypiContext): string {
  return externalBaseUrl(c, { prefix: pypi.prefix, publicUrl: pypi.services.config.publicUrl, trustedProxies: pypi.services.config.trustedProxies })
}
