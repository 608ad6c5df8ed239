/** Larder's configuration from environment variables (the external contract in design.md), validated at start. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseTokenList, type TokenGrant } from '../auth/index.js'
import { DEFAULT_STALE_DEADLINE_MS } from '../cache/options.js'
import { LarderError } from '../errors/index.js'
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
export const DEFAULT_UPSTREAMS = {
  npm: 'https://registry.npmjs.org',
  pypi: 'https://pypi.org/simple',
  composer: 'https://repo.packagist.org',
  gems: 'https://rubygems.org',
  apt: 'debian=http://deb.debian.org/debian,debian-security=http://deb.debian.org/debian-security',
}

export interface LarderConfig {
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
  upstreams: { npm: string; pypi: string; composer: string; gems: string; apt: Record<string, string> }
  tokens: TokenGrant[]
  protectReads: boolean
  /** Peers whose X-Forwarded-* headers are believed (LARDER_TRUSTED_PROXIES); nobody by default. */
  trustedProxies: TrustedProxies
  /**
   * Host header values (host or host:port, lower case) served besides loopback ones: LARDER_ALLOWED_HOSTS
   * plus the host of LARDER_PUBLIC_URL. Empty (neither is set): any Host is served.
   */
  allowedHosts: string[]
}

type Env = Record<string, string | undefined>

function flag(env: Env, name: string): boolean {
  const value = env[name]?.trim().toLowerCase()
  if (value === undefined || value === '' || value === '0' || value === 'false' || value === 'no') return false
  if (value === '1' || value === 'true' || value === 'yes') return true
  throw new LarderError('E_INVALID_OPTION', `${name} must be 1/true/yes or 0/false/no, got "${env[name]}"`)
}

function integer(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name]?.trim()
  if (!raw) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new LarderError('E_INVALID_OPTION', `${name} must be a whole number >= ${min}, got "${raw}"`)
  }
  return Number(raw)
}

function httpUrl(name: string, raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch (cause) {
    throw new LarderError('E_INVALID_OPTION', `${name} is not a URL: "${raw}"`, { cause })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LarderError('E_INVALID_OPTION', `${name} must be an http(s) URL, got "${raw}"`)
  }
  return url.toString().replace(/\/+$/, '')
}

/** Parses `name=url,name=url` (LARDER_APT_UPSTREAMS). */
export function parseNamedUrls(name: string, text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=')
    const key = item.slice(0, eq)
    if (eq <= 0 || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(key)) {
      throw new LarderError('E_INVALID_OPTION', `${name}: "${item}" must look like name=url with a lowercase name`)
    }
    out[key] = httpUrl(`${name} (${key})`, item.slice(eq + 1))
  }
  return out
}

export function loadConfig(env: Env = process.env): LarderConfig {
  const tokens = [
    ...(env.LARDER_TOKENS ? parseTokenList(env.LARDER_TOKENS) : []),
    ...(env.LARDER_TOKENS_FILE ? parseTokenList(readTokensFile(env.LARDER_TOKENS_FILE), env.LARDER_TOKENS_FILE) : []),
  ]
  const publicUrl = env.LARDER_PUBLIC_URL?.trim() ? httpUrl('LARDER_PUBLIC_URL', env.LARDER_PUBLIC_URL.trim()) : undefined
  const config: LarderConfig = {
    host: env.HOST?.trim() || DEFAULT_HOST,
    port: integer(env, 'PORT', DEFAULT_PORT),
    dataDir: resolve(env.LARDER_DATA_DIR?.trim() || DEFAULT_DATA_DIR),
    publicUrl,
    offline: flag(env, 'LARDER_OFFLINE'),
    logLevel: logLevel(env),
    indexTtlMs: integer(env, 'LARDER_INDEX_TTL_SECONDS', DEFAULT_INDEX_TTL_SECONDS) * 1000,
    negativeTtlMs: integer(env, 'LARDER_NEGATIVE_TTL_SECONDS', DEFAULT_NEGATIVE_TTL_SECONDS) * 1000,
    maxUploadBytes: integer(env, 'LARDER_MAX_UPLOAD_MB', DEFAULT_MAX_UPLOAD_MB, 1) * 1024 * 1024,
    upstreamTimeoutMs: integer(env, 'LARDER_UPSTREAM_TIMEOUT_SECONDS', DEFAULT_UPSTREAM_TIMEOUT_SECONDS, 1) * 1000,
    upstreamRetries: integer(env, 'LARDER_UPSTREAM_RETRIES', DEFAULT_UPSTREAM_RETRIES),
    staleDeadlineMs: integer(env, 'LARDER_STALE_DEADLINE_MS', DEFAULT_STALE_DEADLINE_MS),
    upstreamDeadlineMs: integer(env, 'LARDER_UPSTREAM_DEADLINE_SECONDS', DEFAULT_UPSTREAM_DEADLINE_SECONDS, 1) * 1000,
    upstreamMinBytesPerSecond: integer(env, 'LARDER_UPSTREAM_MIN_BYTES_PER_SECOND', DEFAULT_UPSTREAM_MIN_BYTES_PER_SECOND),
    upstreamThroughputWindowMs:
      integer(env, 'LARDER_UPSTREAM_THROUGHPUT_WINDOW_SECONDS', DEFAULT_UPSTREAM_THROUGHPUT_WINDOW_SECONDS, 1) * 1000,
    requestHeadersTimeoutMs: integer(env, 'LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS', DEFAULT_REQUEST_HEADERS_TIMEOUT_SECONDS, 1) * 1000,
    requestTimeoutMs: integer(env, 'LARDER_REQUEST_TIMEOUT_SECONDS', DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000,
    keepAliveTimeoutMs: integer(env, 'LARDER_KEEP_ALIVE_TIMEOUT_SECONDS', DEFAULT_KEEP_ALIVE_TIMEOUT_SECONDS, 1) * 1000,
    minFreeBytes: integer(env, 'LARDER_MIN_FREE_MB', DEFAULT_MIN_FREE_MB) * 1024 * 1024,
    upstreams: {
      npm: httpUrl('LARDER_NPM_UPSTREAM', env.LARDER_NPM_UPSTREAM?.trim() || DEFAULT_UPSTREAMS.npm),
      pypi: httpUrl('LARDER_PYPI_UPSTREAM', env.LARDER_PYPI_UPSTREAM?.trim() || DEFAULT_UPSTREAMS.pypi),
      composer: httpUrl('LARDER_COMPOSER_UPSTREAM', env.LARDER_COMPOSER_UPSTREAM?.trim() || DEFAULT_UPSTREAMS.composer),
      gems: httpUrl('LARDER_GEMS_UPSTREAM', env.LARDER_GEMS_UPSTREAM?.trim() || DEFAULT_UPSTREAMS.gems),
      apt: parseNamedUrls('LARDER_APT_UPSTREAMS', env.LARDER_APT_UPSTREAMS?.trim() || DEFAULT_UPSTREAMS.apt),
    },
    tokens,
    protectReads: flag(env, 'LARDER_PROTECT_READS'),
    trustedProxies: parseTrustedProxies('LARDER_TRUSTED_PROXIES', env.LARDER_TRUSTED_PROXIES),
    allowedHosts: allowedHosts(env.LARDER_ALLOWED_HOSTS, publicUrl),
  }
  if (config.requestTimeoutMs > 0 && config.requestTimeoutMs < config.requestHeadersTimeoutMs) {
    throw new LarderError(
      'E_INVALID_OPTION',
      'LARDER_REQUEST_TIMEOUT_SECONDS must be 0 (no limit) or at least LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS',
    )
  }
  return config
}

function allowedHosts(text: string | undefined, publicUrl: string | undefined): string[] {
  const hosts = (text ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
  for (const host of hosts) {
    if (!/^([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/.test(host)) {
      throw new LarderError('E_INVALID_OPTION', `LARDER_ALLOWED_HOSTS: "${host}" is not a host or host:port`)
    }
  }
  if (publicUrl) hosts.push(new URL(publicUrl).host)
  return [...new Set(hosts)]
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
