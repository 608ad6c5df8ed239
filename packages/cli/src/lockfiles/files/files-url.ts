/** A download URL as its path on the files mirror: `/files/<upstream>/<rest>`, under the configured upstream whose base it extends most. */

export interface MirroredUrl {
  /** `/files/github/acme/tool/releases/download/v1/tool.tar.gz?x=1`, without Larder's pin. */
  path: string
  upstream: string
}

/** Undefined when no upstream's base URL is a prefix of it (at a path segment), or it carries a login. */
export function mirroredPath(url: URL, upstreams: Readonly<Record<string, string>>): MirroredUrl | undefined {
  if (url.username || url.password) return undefined
  let best: { upstream: string; base: string } | undefined
  for (const [upstream, baseText] of Object.entries(upstreams)) {
    let base: URL
    try {
      base = new URL(baseText)
    } catch {
      continue
    }
    if (base.origin !== url.origin) continue
    const basePath = base.pathname.replace(/\/+$/, '')
    if (!url.pathname.startsWith(`${basePath}/`) || url.pathname.length === basePath.length + 1) continue
    if (!best || basePath.length > best.base.length) best = { upstream, base: basePath }
  }
  if (!best) return undefined
  // The path stays as the URL has it encoded: the mirror sends the segments to the upstream as they came.
  const rest = url.pathname.slice(best.base.length + 1)
  return { path: `/files/${encodeURIComponent(best.upstream)}/${rest}${url.search}`, upstream: best.upstream }
}

/** `?sha256=` added to the URL's own query (the mirror takes it out again before asking the upstream). */
export function pinned(path: string, sha256: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}sha256=${sha256}`
}
