/** What every APT route needs: services, the settings (the mirrored archives among them), their generations, and the hosted repository. */
import type { Context } from 'hono'
import type { LarderEnv, MirrorContext } from '@larder/core'
import type { HostedRepo } from '../hosted/hosted-repo.js'
import type { Generations } from '../mirror/generations.js'
import type { PoolIndex } from '../mirror/pool-index.js'
import type { AptSettings } from '../settings/apt-settings.js'

/** Its archives are `settings.upstreams` (LARDER_APT_UPSTREAMS). */
export interface AptContext extends MirrorContext<AptSettings> {
  generations: Generations
  poolIndex: PoolIndex
  hosted: HostedRepo
}

export type AptRouteContext = Context<LarderEnv>

/** Volatile documents: clients and proxies must ask again each time. */
export const VOLATILE_CACHE_CONTROL = 'no-cache'
