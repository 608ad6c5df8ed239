/** Larder's configuration from environment variables (the external contract in design.md), validated at start. */
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { parseTokenList, type TokenGrant } from '../auth/index.js'
import { DEFAULT_MAX_ARTIFACT_BYTES, DEFAULT_STALE_DEADLINE_MS } from '../cache/options.js'
import { LarderError } from '../errors/index.js'
import { httpUrl, readDecimal, readFlag, readInteger, type Env } from './settings.js'
import { readStorageSettings, type StorageConfig } from './storage-config.js'
import { parseTrustedProxies, type TrustedProxies } from './trusted-proxies.js'

export const DEFAULT_PORT = 8080
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_DATA_DIR = './data'
export const DEFAULT_INDEX_TTL_SECONDS = 300
export const DEFAULT_NEGATIVE_TTL_SECONDS = 60
export const DEFAULT_MAX_UPLOAD_MB = 1024
export const DEFAULT_UPSTREAM_TIMEOUT_SECONDS = 20
export const DEFAULT_UPSTREAM_RETRIES = 2
export const DEFAULT_UPSTREAM_DEADLINE_SECONDS = 3600
export const DEFAULT_UPSTREAM_MIN_BYTES_PER_SECOND = 1024
export const DEFAULT_UPSTREAM_THROUGHPUT_WINDOW_SECONDS = 30
/** A client must have sent its request line and headers within this (slowloris). */
export const DEFAULT_REQUEST_HEADERS_TIMEOUT_SECONDS = 20
/** A whole request, upload body included; an hour lets 1 GiB through at 300 kB/s. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 3600
export const DEFAULT_KEEP_ALIVE_TIMEOUT_SECONDS = 5
/** /readyz fails when the store's filesystem has less than this free. */
export const DEFAULT_MIN_FREE_MB = 256
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
/** The largest artifact a fill accepts (LARDER_MAX_ARTIFACT_MB): a guard against an upstream that never stops. */
export const DEFAULT_MAX_ARTIFACT_MB = DEFAULT_MAX_ARTIFACT_BYTES / 1024 / 1024
/** The longest wait between two tries of a webhook receiver that is down. */
export const DEFAULT_WEBHOOK_RETRY_MAX_SECONDS = 300
/** How often the server collects the store's garbage (superseded index bodies, leftovers); 0 turns it off. */
export const DEFAULT_GC_INTERVAL_HOURS = 24
/** How often the server checks the store against LARDER_MAX_CACHE_GB and LARDER_EVICT_UNUSED_DAYS. */
export const DEFAULT_EVICT_INTERVAL_SECONDS = 300
/** How long publish events are kept for pollers and for receivers that are down. */
export const DEFAULT_EVENTS_RETENTION_DAYS = 7
/** Small hot blobs (tarballs, packuments) kept in memory per process, and the largest one kept. */
export const DEFAULT_MEMORY_CACHE_MB = 64
export const DEFAULT_MEMORY_CACHE_MAX_ITEM_KB = 1024
const MIN_WEBHOOK_SECRET_LENGTH = 16

export interface LarderConfig extends StorageConfig {
  host: string
  port: number
  dataDir: string
  publicUrl: string | undefined
  offline: boolean
  logLevel: string
  indexTtlMs: number
  negativeTtlMs: number
  maxUploadBytes: number
  /** How long upstream may take to answer (connect and headers) and to send the next body chunk. */
  upstreamTimeoutMs: number
  upstreamRetries: number
  /** The whole upstream exchange, body included, must end within this. */
  upstreamDeadlineMs: number
  /** A body slower than this on average over one window is given up (0: no floor). */
  upstreamMinBytesPerSecond: number
  upstreamThroughputWindowMs: number
  /** Server side: request head, whole request, idle keep-alive connection. */
  requestHeadersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  /** Readiness fails below this much free space where the store lives. */
  minFreeBytes: number
  /** With a stale copy at hand, how long a client waits for upstream before it gets the stale copy. */
  staleDeadlineMs: number
  maxArtifactBytes: number
  /** Bytes of small blobs held in memory (LARDER_MEMORY_CACHE_MB; 0 turns it off), and the largest held (LARDER_MEMORY_CACHE_MAX_ITEM_KB). */
  memoryCacheBytes: number
  memoryCacheMaxItemBytes: number
  /** Worker processes serving the port (LARDER_WORKERS; the number of CPUs by default); 1 runs one process with no primary. */
  workers: number
  tokens: TokenGrant[]
  protectReads: boolean
  /** Peers whose X-Forwarded-* headers are believed (LARDER_TRUSTED_PROXIES); nobody by default. */
  trustedProxies: TrustedProxies
  /**
   * Host header values (host or host:port, lower case) served besides loopback ones: LARDER_ALLOWED_HOSTS
   * plus the host of LARDER_PUBLIC_URL. Empty (neither is set): any Host is served.
   */
  allowedHosts: string[]
  /** Receivers of publish events (LARDER_WEBHOOKS), each signed with webhookSecret. */
  webhooks: string[]
  webhookSecret: string | undefined
  webhookRetryMaxMs: number
  eventsRetentionMs: number
  gcIntervalMs: number
  /** Mirrored artifacts beyond this are evicted, least recently served first (LARDER_MAX_CACHE_GB); none when unset. */
  maxCacheBytes: number | undefined
  /** Mirrored artifacts not served for this long are evicted (LARDER_EVICT_UNUSED_DAYS). */
  evictUnusedMs: number | undefined
  evictIntervalMs: number
  /** Each mirror's own settings by mirror name, read by its declaration (see MirrorSettings). */
  mirrors: Record<string, unknown>
}

/** What loadConfig needs of a mirror: its name (a token scope) and how it reads its own settings. */
export interface MirrorSettings {
  name: string
  settings(env: Env, base: Omit<LarderConfig, 'mirrors'>): unknown
}

export interface LoadConfigOptions {
  /** The mirrors this process serves: their settings are read, and token scopes must name one of them. */
  mirrors?: readonly MirrorSettings[]
}

/** Reads and validates every setting once, the mirrors' included; throws a LarderError naming the variable. */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): LarderConfig {
  const mirrors = options.mirrors ?? []
  // A process that serves every mirror knows every scope; one serving a single mirror shares the list with the rest.
  const scopes = mirrors.length > 1 ? mirrors.map((mirror) => mirror.name) : undefined
  const tokens = [
    ...(env.LARDER_TOKENS ? parseTokenList(env.LARDER_TOKENS, 'LARDER_TOKENS', scopes) : []),
    ...(env.LARDER_TOKENS_FILE ? parseTokenList(readTokensFile(env.LARDER_TOKENS_FILE), env.LARDER_TOKENS_FILE, scopes) : []),
  ]
  const publicUrl = env.LARDER_PUBLIC_URL?.trim() ? httpUrl('LARDER_PUBLIC_URL', env.LARDER_PUBLIC_URL.trim()) : undefined
  const base: Omit<LarderConfig, 'mirrors'> = {
    host: env.HOST?.trim() || DEFAULT_HOST,
    port: readInteger(env, 'PORT', DEFAULT_PORT),
    dataDir: resolve(env.LARDER_DATA_DIR?.trim() || DEFAULT_DATA_DIR),
    publicUrl,
    offline: readFlag(env, 'LARDER_OFFLINE'),
    logLevel: logLevel(env),
    indexTtlMs: readInteger(env, 'LARDER_INDEX_TTL_SECONDS', DEFAULT_INDEX_TTL_SECONDS) * 1000,
    negativeTtlMs: readInteger(env, 'LARDER_NEGATIVE_TTL_SECONDS', DEFAULT_NEGATIVE_TTL_SECONDS) * 1000,
    maxUploadBytes: readInteger(env, 'LARDER_MAX_UPLOAD_MB', DEFAULT_MAX_UPLOAD_MB, 1) * 1024 * 1024,
    upstreamTimeoutMs: readInteger(env, 'LARDER_UPSTREAM_TIMEOUT_SECONDS', DEFAULT_UPSTREAM_TIMEOUT_SECONDS, 1) * 1000,
    upstreamRetries: readInteger(env, 'LARDER_UPSTREAM_RETRIES', DEFAULT_UPSTREAM_RETRIES),
    staleDeadlineMs: readInteger(env, 'LARDER_STALE_DEADLINE_MS', DEFAULT_STALE_DEADLINE_MS),
    upstreamDeadlineMs: readInteger(env, 'LARDER_UPSTREAM_DEADLINE_SECONDS', DEFAULT_UPSTREAM_DEADLINE_SECONDS, 1) * 1000,
    upstreamMinBytesPerSecond: readInteger(env, 'LARDER_UPSTREAM_MIN_BYTES_PER_SECOND', DEFAULT_UPSTREAM_MIN_BYTES_PER_SECOND),
    upstreamThroughputWindowMs: readInteger(env, 'LARDER_UPSTREAM_THROUGHPUT_WINDOW_SECONDS', DEFAULT_UPSTREAM_THROUGHPUT_WINDOW_SECONDS, 1) * 1000,
    requestHeadersTimeoutMs: readInteger(env, 'LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS', DEFAULT_REQUEST_HEADERS_TIMEOUT_SECONDS, 1) * 1000,
    requestTimeoutMs: readInteger(env, 'LARDER_REQUEST_TIMEOUT_SECONDS', DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000,
    keepAliveTimeoutMs: readInteger(env, 'LARDER_KEEP_ALIVE_TIMEOUT_SECONDS', DEFAULT_KEEP_ALIVE_TIMEOUT_SECONDS, 1) * 1000,
    minFreeBytes: readInteger(env, 'LARDER_MIN_FREE_MB', DEFAULT_MIN_FREE_MB) * 1024 * 1024,
    maxArtifactBytes: readInteger(env, 'LARDER_MAX_ARTIFACT_MB', DEFAULT_MAX_ARTIFACT_MB, 1) * 1024 * 1024,
    memoryCacheBytes: readInteger(env, 'LARDER_MEMORY_CACHE_MB', DEFAULT_MEMORY_CACHE_MB) * 1024 * 1024,
    memoryCacheMaxItemBytes: readInteger(env, 'LARDER_MEMORY_CACHE_MAX_ITEM_KB', DEFAULT_MEMORY_CACHE_MAX_ITEM_KB, 1) * 1024,
    workers: readInteger(env, 'LARDER_WORKERS', availableParallelism(), 1),
    tokens,
    protectReads: readFlag(env, 'LARDER_PROTECT_READS'),
    trustedProxies: parseTrustedProxies('LARDER_TRUSTED_PROXIES', env.LARDER_TRUSTED_PROXIES),
    allowedHosts: allowedHosts(env.LARDER_ALLOWED_HOSTS, publicUrl),
    ...webhookSettings(env),
    gcIntervalMs: readInteger(env, 'LARDER_GC_INTERVAL_HOURS', DEFAULT_GC_INTERVAL_HOURS) * 3_600_000,
    ...evictionSettings(env),
    ...readStorageSettings(env),
  }
  if (base.requestTimeoutMs > 0 && base.requestTimeoutMs < base.requestHeadersTimeoutMs) {
    throw new LarderError('E_INVALID_OPTION', 'LARDER_REQUEST_TIMEOUT_SECONDS must be 0 (no limit) or at least LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS')
  }
  return { ...base, mirrors: Object.fromEntries(mirrors.map((mirror) => [mirror.name, mirror.settings(env, base)])) }
}

function allowedHosts(text: string | undefined, publicUrl: string | undefined): string[] {
  const hosts = (text ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  for (const host of hosts) {
    if (!/^([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/.test(host)) {
      throw new LarderError('E_INVALID_OPTION', `LARDER_ALLOWED_HOSTS: "${host}" is not a host or host:port`)
    }
  }
  if (publicUrl) hosts.push(new URL(publicUrl).host)
  return [...new Set(hosts)]
}

function evictionSettings(env: Env): Pick<LarderConfig, 'maxCacheBytes' | 'evictUnusedMs' | 'evictIntervalMs'> {
  const gb = readDecimal(env, 'LARDER_MAX_CACHE_GB')
  const days = env.LARDER_EVICT_UNUSED_DAYS?.trim() ? readInteger(env, 'LARDER_EVICT_UNUSED_DAYS', 0, 1) : undefined
  return {
    maxCacheBytes: gb === undefined ? undefined : Math.floor(gb * 1024 ** 3),
    evictUnusedMs: days === undefined ? undefined : days * 86_400_000,
    evictIntervalMs: readInteger(env, 'LARDER_EVICT_INTERVAL_SECONDS', DEFAULT_EVICT_INTERVAL_SECONDS, 1) * 1000,
  }
}

function webhookSettings(env: Env): Pick<LarderConfig, 'webhooks' | 'webhookSecret' | 'webhookRetryMaxMs' | 'eventsRetentionMs'> {
  const webhooks = (env.LARDER_WEBHOOKS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const url of webhooks) httpUrl('LARDER_WEBHOOKS', url)
  const secret = env.LARDER_WEBHOOK_SECRET?.trim() || undefined
  if (webhooks.length && !secret) {
    throw new LarderError('E_INVALID_OPTION', 'LARDER_WEBHOOKS is set but LARDER_WEBHOOK_SECRET is not', {
      hint: 'set a shared secret (openssl rand -hex 32): receivers check X-Larder-Signature with it',
    })
  }
  if (secret && secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
    throw new LarderError('E_INVALID_OPTION', `LARDER_WEBHOOK_SECRET must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`)
  }
  return {
    webhooks,
    webhookSecret: secret,
    webhookRetryMaxMs: readInteger(env, 'LARDER_WEBHOOK_RETRY_MAX_SECONDS', DEFAULT_WEBHOOK_RETRY_MAX_SECONDS, 1) * 1000,
    eventsRetentionMs: readInteger(env, 'LARDER_EVENTS_RETENTION_DAYS', DEFAULT_EVENTS_RETENTION_DAYS, 1) * 86_400_000,
  }
}

function logLevel(env: Env): string {
  const level = env.LARDER_LOG_LEVEL?.trim().toLowerCase() || 'info'
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new LarderError('E_INVALID_OPTION', `LARDER_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LARDER_LOG_LEVEL}"`)
  }
  return level
}

function readTokensFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (cause) {
    throw new LarderError('E_INVALID_OPTION', `LARDER_TOKENS_FILE: cannot read ${path}`, { cause })
  }
}
