/**
 * pip's requirements file format, read the way pip's req_file.py reads it: backslash continuations
 * joined, comments (`#` at the start or after whitespace) dropped, `${VAR}` expanded, then each line
 * is either options (`-r`, `-c`, `-e`, `--index-url`, ...) or a PEP 508 requirement followed by its
 * own options (`--hash=sha256:...`).
 */

export interface RequirementEntry {
  kind: 'requirement'
  line: number
  /** The requirement as written, options left out. */
  text: string
  name: string
  extras: string[]
  /** The `==` (or `===`) version when the requirement is pinned to one exact version. */
  pinned?: string
  specifier: string
  /** `name @ https://...`: a direct reference, not from an index. */
  url?: string
  markers?: string
  /** `algorithm:hex`, as given with --hash. */
  hashes: string[]
}

export type RequirementsLine =
  | RequirementEntry
  | { kind: 'include'; line: number; file: string; constraints: boolean }
  | { kind: 'editable'; line: number; target: string }
  | { kind: 'option'; line: number; text: string }

const COMMENT = /(^|\s+)#.*$/
const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*/
const EXACT = /^(===?)\s*([^\s,;*]+)$/

/** Logical lines with the number of the physical line each starts on. */
export function logicalLines(text: string, env: Readonly<Record<string, string | undefined>> = {}): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = []
  let pending: string[] = []
  let start = 0
  text.split(/\r?\n/).forEach((raw, index) => {
    const isComment = COMMENT.test(raw) && /^\s*#/.test(raw)
    if (raw.endsWith('\\') && !isComment) {
      if (pending.length === 0) start = index + 1
      pending.push(raw.slice(0, -1))
      return
    }
    // A comment line ends a continuation, as in pip (the comment itself is dropped below).
    const joined = pending.length > 0 ? [...pending, isComment ? ` ${raw}` : raw].join('') : raw
    out.push({ line: pending.length > 0 ? start : index + 1, text: joined })
    pending = []
  })
  if (pending.length > 0) out.push({ line: start, text: pending.join('') })
  return out.map(({ line, text: t }) => ({ line, text: expandVariables(t.replace(COMMENT, '').trim(), env) })).filter(({ text: t }) => t !== '')
}

/** pip expands only `${NAME}` with upper-case letters, digits and `_`; anything else is left alone. */
function expandVariables(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => env[name] ?? whole)
}

export function parseRequirements(text: string, env: Readonly<Record<string, string | undefined>> = {}): RequirementsLine[] {
  return logicalLines(text, env).map(({ line, text: t }) => parseLine(line, t))
}

function parseLine(line: number, text: string): RequirementsLine {
  const tokens = text.split(/\s+/)
  if (tokens[0]!.startsWith('-')) return parseOptionLine(line, tokens)
  // As pip does: the requirement runs up to the first token that starts with "-".
  const at = tokens.findIndex((token) => token.startsWith('-'))
  const requirement = (at < 0 ? tokens : tokens.slice(0, at)).join(' ')
  const options = at < 0 ? [] : tokens.slice(at)
  return { ...parseRequirement(line, requirement), hashes: hashOptions(options) }
}

function parseOptionLine(line: number, tokens: string[]): RequirementsLine {
  const [flag, inlineValue] = splitFlag(tokens[0]!)
  const value = inlineValue ?? tokens[1] ?? ''
  if (flag === '-r' || flag === '--requirement') return { kind: 'include', line, file: value, constraints: false }
  if (flag === '-c' || flag === '--constraint') return { kind: 'include', line, file: value, constraints: true }
  if (flag === '-e' || flag === '--editable') return { kind: 'editable', line, target: value }
  return { kind: 'option', line, text: tokens.join(' ') }
}

/** `-rfile`, `-r=file`, `--requirement=file` and `--hash=x` all carry their value in the token. */
function splitFlag(token: string): [string, string | undefined] {
  if (token.startsWith('--')) {
    const eq = token.indexOf('=')
    return eq < 0 ? [token, undefined] : [token.slice(0, eq), token.slice(eq + 1)]
  }
  return token.length > 2 ? [token.slice(0, 2), token.slice(2).replace(/^=/, '')] : [token, undefined]
}

function hashOptions(tokens: string[]): string[] {
  const hashes: string[] = []
  for (let i = 0; i < tokens.length; i++) {
    const [flag, value] = splitFlag(tokens[i]!)
    if (flag !== '--hash') continue
    const hash = value ?? tokens[++i]
    if (hash) hashes.push(hash)
  }
  return hashes
}

function parseRequirement(line: number, text: string): Omit<RequirementEntry, 'hashes'> {
  const semicolon = text.indexOf(';')
  const head = (semicolon < 0 ? text : text.slice(0, semicolon)).trim()
  const markers = semicolon < 0 ? undefined : text.slice(semicolon + 1).trim()
  const base = { kind: 'requirement' as const, line, text, extras: [] as string[], specifier: '', ...(markers ? { markers } : {}) }
  const name = NAME.exec(head)
  if (!name) return { ...base, name: '' }
  const extras = (name[2] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
  const rest = head.slice(name[0].length).trim()
  if (rest.startsWith('@')) return { ...base, name: name[1]!, extras, url: rest.slice(1).trim() }
  const specifier = rest.replace(/^\((.*)\)$/, '$1').trim()
  const clauses = specifier
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
  const exact = clauses.map((c) => EXACT.exec(c)).find((m) => m !== null)
  return { ...base, name: name[1]!, extras, specifier, ...(exact ? { pinned: exact[2]! } : {}) }
}
