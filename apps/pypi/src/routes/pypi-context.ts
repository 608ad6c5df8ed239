/** What every PyPI route needs: services, settings, where the app is mounted, the page source and the private index. */
import type { Context } from 'hono'
import { mirrorBaseUrl, type LarderEnv, type MirrorContext } from '@larder/core'
import type { PrivateIndex } from '../private/private-index.js'
import type { PypiSettings } from '../settings/pypi-settings.js'
import type { PageSource } from '../simple/page-source.js'

export interface PypiContext extends MirrorContext<PypiSettings> {
  pages: PageSource
  privateIndex: PrivateIndex
}

export type PypiRouteContext = Context<LarderEnv>

/** The app's URL as the client sees it, e.g. http://127.0.0.1:8080/pypi. */
export const appBase = (c: PypiRouteContext, pypi: PypiContext): string => mirrorBaseUrl(c, pypi)
