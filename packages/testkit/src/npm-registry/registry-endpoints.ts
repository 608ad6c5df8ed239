/** The registry's side endpoints npm clients call besides packuments: search and audit. */
import type { PackumentStore } from './packument-store.js'

export const EMPTY_AUDIT_REPORT = {
  actions: [],
  advisories: {},
  muted: [],
  metadata: {
    vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0 },
    dependencies: 0,
    devDependencies: 0,
    optionalDependencies: 0,
    totalDependencies: 0,
  },
} as const

export const DEFAULT_SEARCH_SIZE = 20

/** `GET /-/v1/search`: packages whose name, description or keywords contain `text`, in npm's format. */
export function searchResults(store: PackumentStore, registryUrl: string, query: URLSearchParams) {
  const text = (query.get('text') ?? '').toLowerCase()
  const size = Number(query.get('size') ?? DEFAULT_SEARCH_SIZE) || DEFAULT_SEARCH_SIZE
  const from = Number(query.get('from') ?? 0) || 0
  const matches = store.names().flatMap((name) => {
    const latest = store.latest(name)
    if (!latest) return []
    const { manifest } = latest.pkg
    const keywords = Array.isArray(manifest.keywords) ? (manifest.keywords as string[]) : []
    const description = typeof manifest.description === 'string' ? manifest.description : ''
    const haystack = [name, description, ...keywords].join(' ').toLowerCase()
    if (!haystack.includes(text)) return []
    const scope = name.startsWith('@') ? name.slice(1, name.indexOf('/')) : 'unscoped'
    const publisher = { username: 'fixture', email: 'fixture@example.invalid' }
    return [
      {
        package: {
          name,
          scope,
          version: latest.pkg.version,
          description,
          keywords,
          date: new Date(latest.publishedAt).toISOString(),
          links: { npm: `${registryUrl}/${name}` },
          publisher,
          maintainers: [publisher],
        },
        score: { final: 1, detail: { quality: 1, popularity: 1, maintenance: 1 } },
        searchScore: 1,
      },
    ]
  })
  return { objects: matches.slice(from, from + size), total: matches.length, time: new Date().toUTCString() }
}
