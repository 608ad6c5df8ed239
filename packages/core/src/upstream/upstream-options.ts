/** Defaults and eager validation for the upstream client's options. */
import { LarderError } from '../errors/larder-error.js'
import type { UpstreamClientOptions } from './types.js'

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000
export const DEFAULT_BODY_TIMEOUT_MS = 30_000
export const DEFAULT_RETRIES = 2
export const DEFAULT_RETRY_BASE_DELAY_MS = 200
export const DEFAULT_MAX_REDIRECTS = 5
export const DEFAULT_CIRCUIT_FAILURE_THRESHOLD = 5
export const DEFAULT_CIRCUIT_COOLDOWN_MS = 15_000
export const DEFAULT_USER_AGENT = 'larder/0.1 (+caching mirror)'
export const DEFAULT_VIA = '1.1 larder'
export const DEFAULT_MAX_CONNECTIONS_PER_ORIGIN = 16
/** An hour: an 8 GiB artifact at 2.5 MB/s still makes it. */
export const DEFAULT_DEADLINE_MS = 60 * 60 * 1000
/** A body slower than 1 KiB/s averaged over 30 s is given up: a trickle that only keeps the socket alive. */
export const DEFAULT_MIN_BYTES_PER_SECOND = 1024
export const DEFAULT_THROUGHPUT_WINDOW_MS = 30_000

export type ResolvedUpstreamOptions = Required<Omit<UpstreamClientOptions, 'onExchange'>>

export function resolveUpstreamOptions(options: UpstreamClientOptions = {}): ResolvedUpstreamOptions {
  const resolved: ResolvedUpstreamOptions = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
    retries: options.retries ?? DEFAULT_RETRIES,
    retryBaseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    circuitFailureThreshold: options.circuitFailureThreshold ?? DEFAULT_CIRCUIT_FAILURE_THRESHOLD,
    circuitCooldownMs: options.circuitCooldownMs ?? DEFAULT_CIRCUIT_COOLDOWN_MS,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    via: options.via ?? DEFAULT_VIA,
    maxConnectionsPerOrigin: options.maxConnectionsPerOrigin ?? DEFAULT_MAX_CONNECTIONS_PER_ORIGIN,
    deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    minBytesPerSecond: options.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND,
    throughputWindowMs: options.throughputWindowMs ?? DEFAULT_THROUGHPUT_WINDOW_MS,
    env: options.env ?? process.env,
  }
  requirePositive('connectTimeoutMs', resolved.connectTimeoutMs)
  requirePositive('headersTimeoutMs', resolved.headersTimeoutMs)
  requirePositive('bodyTimeoutMs', resolved.bodyTimeoutMs)
  requireCount('retries', resolved.retries)
  requireCount('retryBaseDelayMs', resolved.retryBaseDelayMs)
  requireCount('maxRedirects', resolved.maxRedirects)
  requirePositive('circuitFailureThreshold', resolved.circuitFailureThreshold, true)
  requireCount('circuitCooldownMs', resolved.circuitCooldownMs)
  requirePositive('maxConnectionsPerOrigin', resolved.maxConnectionsPerOrigin, true)
  requirePositive('deadlineMs', resolved.deadlineMs)
  requireCount('minBytesPerSecond', resolved.minBytesPerSecond)
  requirePositive('throughputWindowMs', resolved.throughputWindowMs)
  requireHeaderValue('userAgent', resolved.userAgent)
  requireHeaderValue('via', resolved.via)
  if (typeof resolved.env !== 'object' || resolved.env === null) {
    throw new LarderError('E_INVALID_OPTION', 'env must be an object of environment variables')
  }
  return resolved
}

function requirePositive(name: string, value: unknown, integer = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new LarderError('E_INVALID_OPTION', `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`)
  }
}

function requireCount(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new LarderError('E_INVALID_OPTION', `${name} must be a non-negative integer, got ${String(value)}`)
  }
}

function requireHeaderValue(name: string, value: unknown): void {
  // CR/LF would let a misconfigured value inject headers into every upstream request.
  if (typeof value !== 'string' || value.trim() === '' || /[\r\n]/.test(value)) {
    throw new LarderError('E_INVALID_OPTION', `${name} must be a non-empty single-line string`)
  }
}
