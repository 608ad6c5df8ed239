/** Upstream HTTP client: keep-alive, timeouts, retries, redirects, per-origin circuit breaker, proxy support. */
export type { UpstreamClient, UpstreamClientOptions, UpstreamMethod, UpstreamRequest, UpstreamResponse } from './types.js'
export { createUpstreamClient } from './upstream-client.js'
export {
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_CIRCUIT_COOLDOWN_MS,
  DEFAULT_CIRCUIT_FAILURE_THRESHOLD,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS_PER_ORIGIN,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_USER_AGENT,
  DEFAULT_VIA,
} from './upstream-options.js'
export { MAX_RETRY_AFTER_MS, MAX_RETRY_DELAY_MS } from './retry-policy.js'
