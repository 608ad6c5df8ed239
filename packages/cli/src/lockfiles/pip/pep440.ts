/**
 * PEP 440 versions reduced to a canonical text, so that `==1.0` in a requirements file finds the files
 * of `1.0.0`, `1.0.post0` spelled `1.0-0`, and so on, as pip would.
 */

const VERSION =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i

const PRE: Record<string, string> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc' }

export interface CanonicalVersion {
  /** Epoch, release without trailing zeros, pre, post and dev parts. */
  public: string
  /** The local label, lower case with dots; '' when there is none. */
  local: string
}

/** undefined for a string that is not a PEP 440 version (compared as written then). */
export function canonicalVersion(text: string): CanonicalVersion | undefined {
  const m = VERSION.exec(text.trim())
  if (!m) return undefined
  const release = m[2]!.split('.').map((part) => String(Number(part)))
  while (release.length > 1 && release[release.length - 1] === '0') release.pop()
  let out = `${Number(m[1] ?? 0)}!${release.join('.')}`
  if (m[3]) out += `${PRE[m[3].toLowerCase()]}${Number(m[4] ?? 0)}`
  if (m[5] !== undefined) out += `.post${Number(m[5])}`
  else if (m[6]) out += `.post${Number(m[7] ?? 0)}`
  if (m[8]) out += `.dev${Number(m[9] ?? 0)}`
  return { public: out, local: (m[10] ?? '').toLowerCase().replace(/[-_]/g, '.') }
}

/**
 * Whether a file's version is the one `==pinned` names. As PEP 440 says, a pin without a local label
 * ignores the candidate's (`==2.0` takes `2.0+cpu`); one with a label must match it.
 */
export function sameVersion(pinned: string, candidate: string): boolean {
  const a = canonicalVersion(pinned)
  const b = canonicalVersion(candidate)
  if (!a || !b) return pinned.trim().toLowerCase() === candidate.trim().toLowerCase()
  return a.public === b.public && (a.local === '' || a.local === b.local)
}

/** PEP 503: runs of `-`, `_` and `.` are one `-`, lower case. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}
