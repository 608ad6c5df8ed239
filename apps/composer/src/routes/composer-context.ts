/** What every Composer route needs: the mirror's context plus the metadata sources and the private repo. */
import type { Context } from 'hono'
import { mirrorBaseUrl, type LarderEnv, type MirrorContext } from '@larder/core'
import type { P2Source } from '../metadata/p2-source.js'
import type { UpstreamRoot } from '../metadata/upstream-root.js'
import type { PrivateRepo } from '../private/private-repo.js'
import type { ComposerSettings } from '../settings/composer-settings.js'

export interface ComposerContext extends MirrorContext<ComposerSettings> {
  root: UpstreamRoot
  p2: P2Source
  privateRepo: PrivateRepo
}

export type ComposerRouteContext = Context<LarderEnv>

/** The app's URL as the client sees it, e.g. http://127.0.0.1:8080/composer. */
export const appBase = (c: ComposerRouteContext, composer: ComposerContext): string => mirrorBaseUrl(c, composer)

/** True when the client's If-Modified-Since is at or after `lastModified` (both HTTP dates, one-second precision). */
export function notModifiedSince(c: ComposerRouteContext, lastModified: string): boolean {
  const since = Date.parse(c.req.header('if-modified-since') ?? '')
  const modified = Date.parse(lastModified)
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since
}
