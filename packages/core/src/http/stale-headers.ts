/** Response headers saying a cached copy was served because the upstream failed. */
import type { LarderError } from '../errors/index.js'

export function staleHeaders(staleReason: LarderError | undefined): Record<string, string> {
  if (!staleReason) return {}
  return { 'x-larder-stale': staleReason.code, warning: '110 larder "Response is Stale"' }
}
