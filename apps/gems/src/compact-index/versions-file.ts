/** Reads the /versions file (last md5 per gem) and composes /names; the served /versions is a VersionsLog. */

export const EMPTY_VERSIONS_HEADER = 'created_at: 1970-01-01T00:00:00Z\n---\n'

/** The md5 on each gem's last line: what /info/<gem> must hash to. */
export function lastInfoMd5s(body: string): Map<string, string> {
  const out = new Map<string, string>()
  const start = body.indexOf('\n---\n')
  let at = start < 0 ? 0 : start + 5
  while (at < body.length) {
    const end = body.indexOf('\n', at)
    const line = body.slice(at, end < 0 ? body.length : end)
    at = end < 0 ? body.length : end + 1
    const first = line.indexOf(' ')
    const last = line.lastIndexOf(' ')
    if (first > 0 && last > first) out.set(line.slice(0, first), line.slice(last + 1))
  }
  return out
}

/** /names with the private names merged in, sorted like upstream's. */
export function composeNames(upstream: string | undefined, privateNames: Iterable<string>): string {
  const names = new Set<string>()
  for (const line of (upstream ?? '').split('\n')) if (line !== '' && line !== '---') names.add(line)
  for (const name of privateNames) names.add(name)
  return `---\n${[...names]
    .sort()
    .map((name) => `${name}\n`)
    .join('')}`
}
