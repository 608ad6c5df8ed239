/** What every gems route needs: services, settings, where the app is mounted, the upstream and served indexes, private gems. */
import type { Context } from 'hono'
import type { LarderEnv, MirrorContext } from '@larder/core'
import type { ServedIndex } from '../compact-index/served-index.js'
import type { UpstreamIndex } from '../compact-index/upstream-index.js'
import type { PrivateGems } from '../private/private-gems.js'
import type { GemsSettings } from '../settings/gems-settings.js'

export interface GemsContext extends MirrorContext<GemsSettings> {
  upstream: UpstreamIndex
  index: ServedIndex
  privateGems: PrivateGems
}

export type GemsRouteContext = Context<LarderEnv>
