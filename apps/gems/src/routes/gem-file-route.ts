/** GET of /gems/<name>-<version>[-<platform>].gem: private ones from the store; mirrored ones verified against /info. */
import { LarderError, serveArtifact, type CacheEntry } from '@larder/core'
import { parseInfo } from '../compact-index/info-file.js'
import { stemCandidates } from '../names/gem-path.js'
import type { GemsContext, GemsRouteContext } from './gems-context.js'

export const GEM_FILE_KEY_PREFIX = 'gems:file:'

/** Serves a stored private file (a .gem or a quick spec). */
export async function servePrivateFile(c: GemsRouteContext, gems: GemsContext, entry: CacheEntry): Promise<Response> {
  const body = await gems.services.store.openBlob(entry.blob!)
  if (!body) throw new LarderError('E_STORE', `private file ${entry.key} lost its body`)
  return serveArtifact(c, { result: 'PRIVATE', body, size: entry.size, contentType: 'application/octet-stream', entry }, gems.services.store)
}

/** The gem a file stem belongs to and its /info checksum; a name owned privately is never looked up upstream. */
async function upstreamChecksum(gems: GemsContext, stem: string): Promise<{ name: string; sha256: string } | undefined> {
  for (const { name, number } of stemCandidates(stem)) {
    if (await gems.privateGems.owns(name)) throw new LarderError('E_NOT_FOUND', `${name} is a private gem and has no ${stem}`)
    let fetched
    try {
      fetched = await gems.upstream.info(name)
    } catch (error) {
      if (error instanceof LarderError && error.code === 'E_NOT_FOUND') continue
      throw error
    }
    let listed = parseInfo(await gems.upstream.readText(fetched.entry)).get(number)
    if (!listed && (fetched.result === 'HIT' || fetched.result === 'STALE') && !gems.services.config.offline) {
      // Released since Larder cached /info: ask once more.
      fetched = await gems.upstream.info(name, { forceRefresh: true })
      listed = parseInfo(await gems.upstream.readText(fetched.entry)).get(number)
    }
    if (!listed) continue
    if (!listed.checksum) throw new LarderError('E_INTEGRITY', `/info/${name} lists ${number} without a checksum, so Larder cannot verify it`)
    return { name, sha256: listed.checksum }
  }
  return undefined
}

export async function getGemFile(c: GemsRouteContext, gems: GemsContext, filename: string): Promise<Response> {
  const { cache, store } = gems.services
  const own = await gems.privateGems.file(filename)
  if (own?.blob) return servePrivateFile(c, gems, own)
  const key = GEM_FILE_KEY_PREFIX + filename
  // A copy fetched before its name was pushed privately must not be served any more.
  const storedGem = (await store.getEntry(key))?.meta?.gem
  if (typeof storedGem === 'string' && (await gems.privateGems.owns(storedGem))) {
    throw new LarderError('E_NOT_FOUND', `${storedGem} is a private gem and has no ${filename}`)
  }
  const stored = await cache.lookupArtifact(key)
  if (stored) return serveArtifact(c, stored, store)
  const stem = filename.slice(0, -'.gem'.length)
  const source = await upstreamChecksum(gems, stem)
  if (!source) throw new LarderError('E_NOT_FOUND', `${filename} is not listed in the compact index`)
  const artifact = await cache.artifact({
    key,
    url: `${gems.settings.upstream}/gems/${encodeURIComponent(filename)}`,
    expected: { sha256: source.sha256 },
    contentType: 'application/octet-stream',
    label: `/gems/${filename}`,
    meta: { gem: source.name },
  })
  return serveArtifact(c, artifact, store)
}
