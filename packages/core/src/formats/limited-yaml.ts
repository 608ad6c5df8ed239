/** Parses YAML a client sent (a gemspec), within limits on size, nesting and aliases, so no upload can make it blow up. */
import { Lexer, Parser, parseDocument } from 'yaml'
import { LarderError } from '../errors/index.js'

export const MAX_YAML_DEPTH = 64
/** Aliases are rare in package metadata; many of them let a small file expand without bound (an alias bomb). */
export const MAX_YAML_ALIASES = 100

export interface YamlLimits {
  /** What the text is, for messages: "the gem's metadata". */
  label: string
  maxBytes: number
  maxDepth?: number
  maxAliasCount?: number
  /** 'failsafe' keeps every scalar a string (versions like 1.10 stay strings). */
  schema?: 'failsafe' | 'core' | 'json'
}

// The syntax parser holds a stack of a document, then one or two frames per level: leave room for them.
const STACK_FRAMES_BEYOND_DEPTH = 2

/**
 * Whether the YAML nests deeper than `maxDepth`, decided by the syntax parser alone (it keeps an
 * explicit stack, where building the document recurses once per level). It stops at the first
 * frame past the limit, so a hostile file costs no more than a legitimate one.
 */
export function yamlNestsDeeperThan(source: string, maxDepth: number): boolean {
  const lexer = new Lexer()
  const parser = new Parser()
  const limit = maxDepth + STACK_FRAMES_BEYOND_DEPTH
  for (const lexeme of lexer.lex(source, false)) {
    for (const _token of parser.next(lexeme)) {
      // Finished documents are not needed: only the depth reached on the way.
    }
    if (parser.stack.length > limit) return true
  }
  return false
}

export function parseLimitedYaml(source: string, limits: YamlLimits): unknown {
  const maxDepth = limits.maxDepth ?? MAX_YAML_DEPTH
  const maxAliasCount = limits.maxAliasCount ?? MAX_YAML_ALIASES
  const size = Buffer.byteLength(source, 'utf8')
  if (size > limits.maxBytes) throw new LarderError('E_TOO_LARGE', `${limits.label} is ${size} bytes, over the limit of ${limits.maxBytes}`)
  if (yamlNestsDeeperThan(source, maxDepth)) {
    throw new LarderError('E_BAD_REQUEST', `${limits.label} nests deeper than the limit of ${maxDepth} levels`)
  }
  const doc = parseDocument(source, { schema: limits.schema ?? 'core', logLevel: 'silent' })
  if (doc.errors.length > 0) {
    throw new LarderError('E_BAD_REQUEST', `${limits.label} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`)
  }
  try {
    return doc.toJS({ maxAliasCount })
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.split('\n')[0]! : String(cause)
    const why = /alias/i.test(message) ? `it uses aliases beyond the limit of ${maxAliasCount}` : message
    throw new LarderError('E_BAD_REQUEST', `${limits.label} could not be read as YAML (${why})`, { cause })
  }
}
