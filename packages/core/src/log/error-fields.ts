/** Log fields for an error: code and message for expected failures (upstream down, bad input), the stack only for our own faults. */
import { toLarderError } from '../errors/index.js'

export function errorFields(err: unknown): Record<string, unknown> {
  const error = toLarderError(err)
  const expected = error.status < 500 || error.isUpstreamFailure || error.code === 'E_OFFLINE_MISS'
  return expected ? { code: error.code, reason: error.message } : { code: error.code, err: error }
}
