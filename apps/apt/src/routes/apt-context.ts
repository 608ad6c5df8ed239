/** What every APT route needs: services, the mirrored archives, their generations, and the hosted repository. */
import type { Context } from 'hono'
import type { LarderEnv, LarderServices } from '@larder/core'
import type { HostedRepo } from '../hosted/hosted-repo.js'
import type { Generations } from '../mirror/generations.js'
import type { PoolIndex } from '../mirror/pool-index.js'

export interface AptContext {
  services: LarderServices
  prefix: string
  /** Archive name -> upstream base URL (LARDER_APT_UPSTREAMS). */
  upstreams: Record<string, string>
  generations: Generations
  poolIndex: PoolIndex
  hosted: HostedRepo
}

export type AptRouteContext = Context<LarderEnv>

/** Volatile documents: clients and proxies must ask again each time. */
export const VOLATILE_CACHE_CONTROL = 'no-cache'
