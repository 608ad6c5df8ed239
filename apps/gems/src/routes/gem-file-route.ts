/** GET of /gems/<name>-<version>[-<platform>].gem: private ones from the store; mirrored ones verified against /info. */
import { LarderError, serveArtifact, serveHostedFile, type ArtifactSource } from '@larder/core'
import { parseInfo } from '../compact-index/info-file.js'
import { stemCandidates } from '../names/gem-path.js'
import type { GemsContext, GemsRouteContext } from './gems-context.js'

export const GEM_FILE_KEY_PREFIX = 'gems:file:'

export async function getGemFile(c: GemsRouteContext, gems: GemsContext, filename: string): Promise<Response> {
  const { cache, store } = gems.services
  const own = await gems.privateGems.file(filename)
  if (own) return serveHostedFile(c, store, own, 'application/octet-stream')
  const artifact = await cache.artifact({
    key: GEM_FILE_KEY_PREFIX + filename,
    label: `/gems/${filename}`,
    resolve: () => upstreamGem(gems, filename),
  })
  // A copy fetched before its name was pushed privately must not be served any more. A miss was
  // just resolved past that check, and only a stored copy has an entry to say which gem it is.
  const gem = artifact.entry?.meta?.gem
  if (typeof gem === 'string' && (await gems.privateGems.owns(gem))) {
    artifact.body.destroy()
    throw new LarderError('E_NOT_FOUND', `${gem} is a private gem and has no ${filename}`)
  }
  return serveArtifact(c, artifact, store)
}

/** Where upstream has the file and its /info checksum; a name owned privately is never looked up upstream. */
async function upstreamGem(gems: GemsContext, filename: string): Promise<ArtifactSource> {
  const stem = filename.slice(0, -'.gem'.length)
  for (const { name, number } of await likelyCandidates(gems, stem)) {
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
    return {
      url: `${gems.settings.upstream}/gems/${encodeURIComponent(filename)}`,
      expected: { sha256: listed.checksum },
      contentType: 'application/octet-stream',
      meta: { gem: name },
    }
  }
  throw new LarderError('E_NOT_FOUND', `${filename} is not listed in the compact index`)
}

/** A real file name has a few ways to split: more are asked of upstream only when the held /versions lists them. */
export const MAX_UNLISTED_CANDIDATES = 3

/**
 * The name/version splits worth an /info request, the ones the held /versions lists first: a name like
 * a-1-1-1-...-1.gem must not cost one upstream request per dash.
 */
async function likelyCandidates(gems: GemsContext, stem: string): Promise<{ name: string; number: string }[]> {
  const all = stemCandidates(stem)
  const listed = (await gems.upstream.upstreamMd5s().catch(() => undefined))?.md5s
  const known = listed ? all.filter(({ name }) => listed.has(name)) : []
  const rest = all.filter((candidate) => !known.includes(candidate)).slice(0, MAX_UNLISTED_CANDIDATES)
  return [...known, ...rest]
}
