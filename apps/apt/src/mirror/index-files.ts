/** Index files (Packages, Sources, Translation-*, Contents-*...) fetched by the digest a Release lists, verified, stored by content. */
import { finished } from 'node:stream/promises'
import { LarderError, isLarderError, type ArtifactResponse, type ExpectedDigests, type LarderServices } from '@larder/core'
import type { IndexFileFacts, ReleaseAlgorithm } from '../deb822/release-file.js'
import { encodePath } from '../paths/apt-path.js'
import { byHashKey, indexKey } from './mirror-keys.js'

export const INDEX_CONTENT_TYPE = 'application/octet-stream'

/** by-hash folder names as apt and archives spell them, strongest first. */
const BY_HASH_DIRS: Array<[ReleaseAlgorithm, string]> = [
  ['sha512', 'SHA512'],
  ['sha256', 'SHA256'],
  ['sha1', 'SHA1'],
  ['md5', 'MD5Sum'],
]

export interface IndexLocation {
  archive: string
  base: string
  suite: string
  /** Relative to dists/<suite>/, e.g. main/binary-amd64/Packages.xz */
  path: string
  acquireByHash: boolean
}

export function keyOfFacts(facts: IndexFileFacts): string {
  if (facts.sha256) return indexKey(facts.sha256)
  const [algorithm] = BY_HASH_DIRS.find(([a]) => facts[a]) ?? []
  if (!algorithm) throw new LarderError('E_UPSTREAM_GARBAGE', 'a Release lists a file without any digest')
  return byHashKey(algorithm, facts[algorithm]!)
}

function expectedOf(facts: IndexFileFacts): ExpectedDigests {
  const expected: ExpectedDigests = {}
  for (const [algorithm] of BY_HASH_DIRS) if (facts[algorithm]) expected[algorithm] = facts[algorithm]
  return expected
}

export class IndexFiles {
  constructor(private readonly services: LarderServices) {}

  /** The index file a Release lists, from the store or upstream (by-hash first when the archive has it, then by path). */
  async open(location: IndexLocation, facts: IndexFileFacts): Promise<ArtifactResponse> {
    const key = keyOfFacts(facts)
    const dir = location.path.includes('/') ? location.path.slice(0, location.path.lastIndexOf('/')) : ''
    const dists = `${location.base}/dists/${encodePath(location.suite)}/`
    const urls: string[] = []
    if (location.acquireByHash) {
      const [algorithm, name] = BY_HASH_DIRS.find(([a]) => a !== 'sha512' && facts[a]) ?? []
      if (algorithm) urls.push(`${dists}${dir ? `${encodePath(dir)}/` : ''}by-hash/${name}/${facts[algorithm]}`)
    }
    urls.push(`${dists}${encodePath(location.path)}`)
    // Each attempt looks the key up first: a stored copy is served whichever URL it came from.
    return this.fetchFirst(urls, (url) => ({
      key,
      url,
      expected: expectedOf(facts),
      expectedSize: facts.size,
      contentType: INDEX_CONTENT_TYPE,
      label: `${location.archive} ${location.suite}/${location.path}`,
      // index: what clients need to read the pool; eviction keeps it (it is fetched as an artifact, by digest).
      meta: { archive: location.archive, suite: location.suite, path: location.path, index: true },
    }))
  }

  /** A by-hash object no current Release lists: fetched from upstream's by-hash folder and checked against its name. */
  async openUnlisted(location: IndexLocation, algorithm: ReleaseAlgorithm, hash: string): Promise<ArtifactResponse> {
    const key = algorithm === 'sha256' ? indexKey(hash) : byHashKey(algorithm, hash)
    const name = BY_HASH_DIRS.find(([a]) => a === algorithm)![1]
    const url = `${location.base}/dists/${encodePath(location.suite)}/${location.path ? `${encodePath(location.path)}/` : ''}by-hash/${name}/${hash}`
    return this.services.cache.artifact({
      key,
      url,
      expected: { [algorithm]: hash },
      contentType: INDEX_CONTENT_TYPE,
      label: `${location.archive} by-hash ${hash}`,
      meta: { index: true },
    })
  }

  /** Makes sure the file is stored, reading the fill to its end (a failed digest rejects). */
  async ensure(location: IndexLocation, facts: IndexFileFacts): Promise<void> {
    const response = await this.open(location, facts)
    response.body.resume()
    await finished(response.body)
  }

  private async fetchFirst(urls: string[], request: (url: string) => Parameters<LarderServices['cache']['artifact']>[0]): Promise<ArtifactResponse> {
    for (let i = 0; ; i++) {
      try {
        return await this.services.cache.artifact(request(urls[i]!))
      } catch (err) {
        // Not every archive that says Acquire-By-Hash keeps every object: fall back to the path.
        if (i + 1 < urls.length && isLarderError(err, 'E_NOT_FOUND')) continue
        throw err
      }
    }
  }
}
