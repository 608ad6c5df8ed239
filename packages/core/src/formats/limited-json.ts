/** Parses JSON a client sent, refusing it (400/413 naming the limit) when it is too big or nested too deep to handle safely. */
import { LarderError } from '../errors/index.js'

/**
 * Real documents stay far below this: a packument is about 8 levels deep at its deepest
 * (versions > version > exports > condition > ...), a composer.json about 6. Code that walks a
 * document (JSON.stringify, deep comparisons) recurses once per level, so depth must be bounded.
 */
export const MAX_JSON_DEPTH = 64

export interface JsonLimits {
  /** What the body is, for messages: 'the publish document of foo'. */
  label: string
  maxBytes: number
  maxDepth?: number
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d

/**
 * The deepest nesting of objects and arrays in `bytes`, counted in one pass without recursion.
 * It need not be valid JSON: the count only has to bound what JSON.parse could build. Structural
 * characters are ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte character.
 */
export function jsonNestingDepth(bytes: Uint8Array, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (inString) {
      if (byte === BACKSLASH) i++
      else if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) {
      inString = true
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > deepest) {
        deepest = depth
        if (deepest > stopAbove) return deepest
      }
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--
    }
  }
  return deepest
}

/** Checks size and depth first, then parses; any failure is a LarderError naming the body and the limit. */
export function parseLimitedJson(body: Uint8Array | string, limits: JsonLimits): unknown {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH
  if (bytes.length > limits.maxBytes) {
    throw new LarderError('E_TOO_LARGE', `${limits.label} is ${bytes.length} bytes, over the limit of ${limits.maxBytes}`)
  }
  if (jsonNestingDepth(bytes, maxDepth) > maxDepth) {
    throw new LarderError('E_BAD_REQUEST', `${limits.label} nests objects or arrays deeper than the limit of ${maxDepth} levels`, {
      hint: 'no package document needs that; check what built it',
    })
  }
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
  } catch (cause) {
    throw new LarderError('E_BAD_REQUEST', `${limits.label} is not JSON (${(cause as Error).message})`, { cause })
  }
}

/** The same, for bodies that must be a JSON object. */
export function parseLimitedJsonObject(body: Uint8Array | string, limits: JsonLimits): Record<string, unknown> {
  const value = parseLimitedJson(body, limits)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LarderError('E_BAD_REQUEST', `${limits.label} is not a JSON object`)
  }
  return value as Record<string, unknown>
}
