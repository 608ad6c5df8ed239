/** The upstream's packages.json, cached as an index: where its p2 files are, which names it has, where its advisories API is. */
import { LarderError, isLarderError, readAll, type LarderServices } from '@larder/core'

export const UPSTREAM_ROOT_KEY = 'composer:root'

export interface UpstreamRootFacts {
  /** Absolute URL template with %package% (the ~dev file is derived from it as Composer does). */
  metadataUrl: string
  advisoriesApiUrl: string
  /** Set only when the upstream declares the names it has. */
  availablePackages?: string[]
  availablePatterns?: string[]
}

/** What an upstream like repo.packagist.org would say, used while its packages.json cannot be had. */
export function defaultRootFacts(upstream: string): UpstreamRootFacts {
  return { metadataUrl: `${upstream}/p2/%package%.json`, advisoriesApiUrl: `${upstream}/api/security-advisories/` }
}

export function readRootDocument(upstream: string, document: unknown): UpstreamRootFacts {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('packages.json is not a JSON object')
  const doc = document as Record<string, unknown>
  const base = `${upstream}/`
  const absolute = (value: unknown) => (typeof value === 'string' && value !== '' ? new URL(value, base).toString() : undefined)
  const strings = (value: unknown) => (Array.isArray(value) && value.length > 0 ? value.filter((v): v is string => typeof v === 'string') : undefined)
  const defaults = defaultRootFacts(upstream)
  const advisories = doc['security-advisories'] as Record<string, unknown> | undefined
  const facts: UpstreamRootFacts = {
    // Unescaped: new URL() would percent-encode the placeholder.
    metadataUrl: absolute(doc['metadata-url'])?.replace('%25package%25', '%package%') ?? defaults.metadataUrl,
    advisoriesApiUrl: absolute(advisories?.['api-url']) ?? defaults.advisoriesApiUrl,
  }
  const available = strings(doc['available-packages'])
  const patterns = strings(doc['available-package-patterns'])
  if (available) facts.availablePackages = available.map((n) => n.toLowerCase())
  if (patterns) facts.availablePatterns = patterns
  return facts
}

/** Composer's BasePackage::packageNameToRegexp for available-package-patterns. */
export function patternMatches(pattern: string, name: string): boolean {
  const regexp = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  )
  return regexp.test(name)
}

export class UpstreamRoot {
  constructor(
    private readonly services: LarderServices,
    /** LARDER_COMPOSER_UPSTREAM. */
    private readonly upstream: string,
  ) {}

  /** The upstream's facts; the defaults when its packages.json is unreachable, missing or unreadable. */
  async facts(): Promise<UpstreamRootFacts> {
    try {
      const response = await this.services.cache.index({
        key: UPSTREAM_ROOT_KEY,
        url: `${this.upstream}/packages.json`,
        headers: { accept: 'application/json' },
        label: 'the upstream packages.json',
        process: async (body) => {
          const facts = readRootDocument(this.upstream, JSON.parse((await body.readBytes()).toString('utf8')))
          return { body: Buffer.from(JSON.stringify(facts)), contentType: 'application/json' }
        },
      })
      const stream = await this.services.cache.openEntry(response.entry)
      if (!stream) throw new LarderError('E_STORE', 'the stored upstream packages.json lost its body')
      return JSON.parse((await readAll(stream)).toString('utf8')) as UpstreamRootFacts
    } catch (error) {
      if (!isLarderError(error)) throw error
      return defaultRootFacts(this.upstream)
    }
  }

  /** The URL of a p2 file on the upstream, or undefined when the upstream's own list says it has no such name. */
  async p2Url(name: string, dev: boolean): Promise<string | undefined> {
    const facts = await this.facts()
    const listed = facts.availablePackages !== undefined || facts.availablePatterns !== undefined
    const known = (facts.availablePackages ?? []).includes(name) || (facts.availablePatterns ?? []).some((p) => patternMatches(p, name))
    if (listed && !known) return undefined
    return facts.metadataUrl.replace('%package%', dev ? `${name}~dev` : name)
  }
}
