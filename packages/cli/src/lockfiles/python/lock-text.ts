/** Parses a Python lockfile's TOML or JSON with bounds: a size cap, a nesting cap, no prototype keys. */
import { parse } from 'smol-toml'

/** Far above the largest real lockfiles (a big uv.lock is a few MB); a runaway file fails fast instead of eating memory. */
export const MAX_LOCKFILE_CHARS = 32 * 1024 * 1024

/** Lockfiles nest a few tables deep; a deeper document is not one of them. */
const MAX_DEPTH = 32

function checkSize(path: string, text: string): void {
  if (text.length > MAX_LOCKFILE_CHARS) throw new Error(`${path} is ${text.length} characters: larger than any lockfile larder reads (${MAX_LOCKFILE_CHARS})`)
}

export function parseLockToml(path: string, text: string): Record<string, unknown> {
  checkSize(path, text)
  try {
    // `__proto__` keys are dropped so a hostile file cannot reach Object.prototype through the parsed tables.
    return parse(text, { maxDepth: MAX_DEPTH, unsafeKeyBehaviour: 'drop' })
  } catch (cause) {
    throw new Error(`${path} is not TOML: ${(cause as Error).message.split('\n')[0]}`)
  }
}

export function parseLockJson(path: string, text: string): unknown {
  checkSize(path, text)
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new Error(`${path} is not JSON: ${(cause as Error).message}`)
  }
}

/** The value as a table, else undefined: lockfile fields are read defensively, a wrong type is as good as absent. */
export function tableOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

export function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
