/** What every Composer route needs: services, its settings (dist tokens and hosts among them), where the app is mounted, the metadata sources, the private repo, the dist downloads in progress. */
import type { Context } from 'hono'
import { externalBaseUrl, type LarderEnv, type LarderServices } from '@larder/core'
import type { P2Source } from '../metadata/p2-source.js'
import type { UpstreamRoot } from '../metadata/upstream-root.js'
import type { PrivateRepo } from '../private/private-repo.js'
import type { ComposerSettings } from '../settings/composer-settings.js'

export interface ComposerContext {
  services: LarderServices
  settings: ComposerSettings
  prefix: string
  root: UpstreamRoot
  p2: P2Source
  privateRepo: PrivateRepo
}

export type ComposerRouteContext = Context<LarderEnv>

/** The app's URL as the client sees it, e.g. http://127.0.0.1:8080/composer. */
export function appBase(c: ComposerRouteContext, composer: ComposerContext): string {
  return externalBaseUrl(c, { prefix: composer.prefix, publicUrl: composer.services.config.publicUrl, trustedProxies: composer.services.config.trustedProxies })
}

/** True when the client's If-Modified-Since is at or after `lastModified` (both HTTP dates, one-second precision). */
export function notModifiedSince(c: ComposerRouteContext, lastModified: string): boolean {
  const since = Date.parse(c.req.header('if-modified-since') ?? '')
  const modified = Date.parse(lastModified)
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since
}
