/** Readers for one environment variable each, shared by the core's settings and every mirror's: each error names the variable and what it accepts. */
import { LarderError } from '../errors/index.js'

export type Env = Record<string, string | undefined>

/** 1/true/yes or 0/false/no; unset is false. */
export function readFlag(env: Env, name: string): boolean {
  const value = env[name]?.trim().toLowerCase()
  if (value === undefined || value === '' || value === '0' || value === 'false' || value === 'no') return false
  if (value === '1' || value === 'true' || value === 'yes') return true
  throw new LarderError('E_INVALID_OPTION', `${name} must be 1/true/yes or 0/false/no, got "${env[name]}"`)
}

export function readInteger(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name]?.trim()
  if (!raw) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new LarderError('E_INVALID_OPTION', `${name} must be a whole number >= ${min}, got "${raw}"`)
  }
  return Number(raw)
}

/** A decimal number >= 0 (`0.5`); undefined when the variable is unset or blank. */
export function readDecimal(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim()
  if (!raw) return undefined
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new LarderError('E_INVALID_OPTION', `${name} must be a number >= 0 such as 20 or 0.5, got "${raw}"`)
  return Number(raw)
}

/** An http(s) URL without its trailing slashes; `fallback` when the variable is unset or blank. */
export function readHttpUrl(env: Env, name: string, fallback: string): string {
  return httpUrl(name, env[name]?.trim() || fallback)
}

export function httpUrl(name: string, raw: string): string {
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

/** Parses `name=url,name=url` (LARDER_APT_UPSTREAMS): lower-case names, http(s) URLs. */
export function parseNamedUrls(name: string, text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.indexOf('=')
    const key = item.slice(0, eq)
    if (eq <= 0 || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(key)) {
      throw new LarderError('E_INVALID_OPTION', `${name}: "${item}" must look like name=url with a lowercase name`)
    }
    out[key] = httpUrl(`${name} (${key})`, item.slice(eq + 1))
  }
  return out
}
