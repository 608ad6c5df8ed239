/** Parses a registry's WWW-Authenticate challenge (RFC 9110 auth-params): the scheme, and realm/service/scope for Bearer. */

export interface AuthChallenge {
  /** Lower case: 'bearer' or 'basic'. */
  scheme: string
  params: Record<string, string>
}

/** The first challenge in the header, or undefined when there is none Larder can read. */
export function parseChallenge(header: string | undefined): AuthChallenge | undefined {
  if (!header) return undefined
  const match = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+(.*))?$/s.exec(header)
  if (!match) return undefined
  const params: Record<string, string> = {}
  const rest = match[2] ?? ''
  // name=token or name="quoted \"string\"", separated by commas.
  const param = /\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/gy
  let found: RegExpExecArray | null
  while ((found = param.exec(rest)) !== null && found[0] !== '') {
    const value = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : (found[3] ?? '')
    params[found[1]!.toLowerCase()] = value
    if (param.lastIndex >= rest.length) break
  }
  return { scheme: match[1]!.toLowerCase(), params }
}

/** The pull scope of a repository, as registries name it in challenges and token requests. */
export function pullScope(repo: string): string {
  return `repository:${repo}:pull`
}
