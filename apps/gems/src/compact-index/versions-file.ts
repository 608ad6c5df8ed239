/** Reads the /versions file and composes the one Larder serves: upstream lines, md5s matched to Larder's /info, private gems. */

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

export interface ComposeOptions {
  /** The upstream /versions as fetched; undefined when Larder has none (offline, private gems only). */
  upstream: string | undefined
  /** name -> md5 of the /info body Larder holds, where it differs from the upstream line. */
  md5Overrides: ReadonlyMap<string, string>
  /** Names owned privately: their upstream lines are dropped. */
  privateNames: ReadonlySet<string>
  /** `name v1,v2 md5` lines of private gems, appended at the end (as upstream appends new releases). */
  privateLines: readonly string[]
}

export function composeVersions(options: ComposeOptions): string {
  const { upstream, md5Overrides, privateNames, privateLines } = options
  if (upstream === undefined) return EMPTY_VERSIONS_HEADER + privateLines.map((line) => `${line}\n`).join('')
  if (md5Overrides.size === 0 && privateNames.size === 0 && privateLines.length === 0) return upstream
  const headerEnd = upstream.indexOf('\n---\n')
  const bodyStart = headerEnd < 0 ? 0 : headerEnd + 5
  const out: string[] = [upstream.slice(0, bodyStart)]
  for (const line of upstream.slice(bodyStart).split('\n')) {
    if (line === '') continue
    const name = line.slice(0, line.indexOf(' '))
    if (privateNames.has(name)) continue
    const md5 = md5Overrides.get(name)
    out.push(md5 === undefined ? `${line}\n` : `${line.slice(0, line.lastIndexOf(' '))} ${md5}\n`)
  }
  for (const line of privateLines) out.push(`${line}\n`)
  return out.join('')
}

/** /names with the private names merged in, sorted like upstream's. */
export function composeNames(upstream: string | undefined, privateNames: Iterable<string>): string {
  const names = new Set<string>()
  for (const line of (upstream ?? '').split('\n')) if (line !== '' && line !== '---') names.add(line)
  for (const name of privateNames) names.add(name)
  return `---\n${[...names].sort().map((name) => `${name}\n`).join('')}`
}
