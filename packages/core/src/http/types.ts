/** The Hono environment every Larder app shares: request id, cache result, the Node response for fast streaming. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CacheResult } from '../policy/index.js'

export interface LarderVariables {
  requestId: string
  /** Set by handlers; logged and sent as X-Larder-Cache. */
  cacheResult: CacheResult
  /** Status of a response written straight to the socket (bypassing Hono's Response). */
  sentStatus: number
}

export interface LarderBindings {
  incoming?: IncomingMessage
  outgoing?: ServerResponse
}

export interface LarderEnv {
  Variables: LarderVariables
  Bindings: LarderBindings
}
