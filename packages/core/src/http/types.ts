/** The Hono environment every Larder app shares: request id, cache result, the Node response for fast streaming. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CacheResult } from '../policy/index.js'
import type { HotHint, HotResponses, RecordAnswer } from './hot-responses.js'

export interface LarderVariables {
  requestId: string
  /** Set by handlers; logged and sent as X-Larder-Cache. */
  cacheResult: CacheResult
  /** Status of a response written straight to the socket (bypassing Hono's Response). */
  sentStatus: number
  /** Its Content-Length, when known. */
  sentLength: number
  /** Why a streamed body stopped before its end (upstream failed, digest mismatch), for the log. */
  streamError: Error
  /** Set under LARDER_PROTECT_READS: no response may be kept by a shared cache. */
  privateResponses: boolean
  /** Set by a route whose answer may be remembered whole (see HotResponses), and where to remember it. */
  hotHint: HotHint
  hotResponses: HotResponses
  /** The edge's request line and metrics, for answers sent from HotResponses later. */
  recordAnswer: RecordAnswer
}

export interface LarderBindings {
  incoming?: IncomingMessage
  outgoing?: ServerResponse
}

export interface LarderEnv {
  Variables: LarderVariables
  Bindings: LarderBindings
}
