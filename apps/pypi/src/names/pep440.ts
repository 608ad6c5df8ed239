/** PEP 440 versions: the normalized spelling (as in file names) and an identity key under which 1.0 and 1.0.0 are one release. */

/** The `packaging` library's VERSION_PATTERN, anchored, case-insensitive. */
const PEP440 =
  /^\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\.[0-9]+)*)(?<pre>[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?)(?:\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i

const PRE_LABELS: Record<string, string> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc' }

interface ParsedVersion {
  epoch: number
  release: number[]
  pre?: [string, number]
  post?: number
  dev?: number
  local?: string[]
}

function parse(version: string): ParsedVersion | undefined {
  const g = PEP440.exec(version)?.groups
  if (!g) return undefined
  const int = (text: string | undefined) => Number.parseInt(text ?? '0', 10)
  return {
    epoch: int(g.epoch),
    release: g.release!.split('.').map((n) => int(n)),
    ...(g.pre ? { pre: [PRE_LABELS[g.preL!.toLowerCase()]!, int(g.preN)] as [string, number] } : {}),
    ...(g.post ? { post: int(g.postN1 ?? g.postN2) } : {}),
    ...(g.dev ? { dev: int(g.devN) } : {}),
    ...(g.local
      ? {
          local: g.local
            .toLowerCase()
            .split(/[-_.]/)
            .map((part) => (/^[0-9]+$/.test(part) ? String(int(part)) : part)),
        }
      : {}),
  }
}

function render(v: ParsedVersion, release: number[]): string {
  let out = v.epoch ? `${v.epoch}!` : ''
  out += release.join('.')
  if (v.pre) out += `${v.pre[0]}${v.pre[1]}`
  if (v.post !== undefined) out += `.post${v.post}`
  if (v.dev !== undefined) out += `.dev${v.dev}`
  if (v.local) out += `+${v.local.join('.')}`
  return out
}

export function isPep440Version(version: string): boolean {
  return parse(version) !== undefined
}

/** The normalized spelling (`str(packaging.version.Version(v))`), e.g. "1.0-RC.1" -> "1.0rc1"; undefined when not PEP 440. */
export function normalizeVersion(version: string): string | undefined {
  const v = parse(version)
  return v && render(v, v.release)
}

/** Equal for versions PEP 440 calls equal (trailing zeros of the release do not count): "1.0.0" and "1" share one. */
export function versionIdentity(version: string): string | undefined {
  const v = parse(version)
  if (!v) return undefined
  const release = [...v.release]
  while (release.length > 1 && release[release.length - 1] === 0) release.pop()
  return render(v, release)
}

/** Far above any real Requires-Python. */
export const MAX_SPECIFIER_SET_LENGTH = 1024
const CLAUSE = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+?)\s*$/

/**
 * A PEP 440 version specifier set (Requires-Python: ">=3.8,<4", "~=3.9", "==3.*"), as packaging's
 * SpecifierSet reads it: each clause an operator and a version; `.*` only after == and !=, `===` any string.
 */
export function isSpecifierSet(text: string): boolean {
  if (text.length > MAX_SPECIFIER_SET_LENGTH) return false
  const clauses = text.split(',')
  if (clauses.every((clause) => clause.trim() === '')) return false
  return clauses.every((clause) => {
    const match = CLAUSE.exec(clause)
    if (!match) return false
    const [, operator, version] = match as unknown as [string, string, string]
    if (operator === '===') return /^[^\s,;]+$/.test(version)
    if (version.endsWith('.*')) return (operator === '==' || operator === '!=') && isPep440Version(version.slice(0, -2))
    if (operator === '~=' && !/\d\.\d/.test(version)) return false
    return isPep440Version(version)
  })
}
