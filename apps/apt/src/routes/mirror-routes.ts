/** GETs on a mirrored archive: Release files of the served generation, its index files, by-hash objects and pool files. */
import { LarderError, clientHasCurrent, sendStream, serveArtifact, staleHeaders, type ArtifactResponse, type CacheEntry } from '@larder/core'
import type { ReleaseAlgorithm } from '../deb822/release-file.js'
import type { Generation } from '../mirror/generations.js'
import { poolKey } from '../mirror/mirror-keys.js'
import { encodePath, type ReleaseFileName } from '../paths/apt-path.js'
import { RELEASE_CONTENT_TYPE } from '../mirror/release-source.js'
import { VOLATILE_CACHE_CONTROL, type AptContext, type AptRouteContext } from './apt-context.js'

export const POOL_CONTENT_TYPE = 'application/vnd.debian.binary-package'

/** A stored Release file (a part of a generation or of the hosted repository) sent byte for byte. */
export async function sendReleasePart(
  c: AptRouteContext,
  apt: AptContext,
  entry: CacheEntry,
  file: ReleaseFileName,
  headers: Record<string, string> = {},
): Promise<Response> {
  const part = entry.parts?.[file]
  if (!part)
    throw new LarderError('E_NOT_FOUND', `this suite has no ${file}`, {
      hint: file === 'InRelease' ? 'apt falls back to Release and Release.gpg' : 'apt uses InRelease',
    })
  const etag = `"${part.sha256}"`
  if (clientHasCurrent(c, etag)) return c.body(null, 304, { etag, 'cache-control': VOLATILE_CACHE_CONTROL })
  const body = await apt.services.store.openBlob(part.sha256)
  if (!body) throw new LarderError('E_STORE', `${file} of ${entry.key} is missing from the store`)
  return sendStream(c, { headers: { 'content-type': RELEASE_CONTENT_TYPE, 'cache-control': VOLATILE_CACHE_CONTROL, etag, ...headers }, body, size: part.size })
}

export async function getMirrorRelease(c: AptRouteContext, apt: AptContext, archive: string, suite: string, file: ReleaseFileName): Promise<Response> {
  const served = await apt.generations.refresh(archive, apt.settings.upstreams[archive]!, suite)
  c.set('cacheResult', served.result)
  return sendReleasePart(c, apt, served.generation.entry, file, staleHeaders(served.staleReason))
}

export async function getMirrorIndex(c: AptRouteContext, apt: AptContext, archive: string, suite: string, path: string): Promise<Response> {
  const base = apt.settings.upstreams[archive]!
  const generation = await apt.generations.current(archive, base, suite)
  const facts = generation.files[path]
  if (!facts) throw new LarderError('E_NOT_FOUND', `${archive} ${suite}: the Release Larder serves lists no ${path}`)
  const artifact = await apt.generations.indexFiles.open(apt.generations.location(archive, base, suite, path, generation), facts)
  await apt.generations.want(archive, suite, path)
  // The same URL names another file in the next generation.
  return serveArtifact(c, artifact, apt.services.store, { 'cache-control': VOLATILE_CACHE_CONTROL })
}

export async function getMirrorByHash(
  c: AptRouteContext,
  apt: AptContext,
  archive: string,
  suite: string,
  dir: string,
  algorithm: ReleaseAlgorithm,
  hash: string,
): Promise<Response> {
  const base = apt.settings.upstreams[archive]!
  const generation = await apt.generations.current(archive, base, suite)
  const listed = findListed(generation, dir, algorithm, hash)
  let artifact: ArtifactResponse
  if (listed) {
    artifact = await apt.generations.indexFiles.open(apt.generations.location(archive, base, suite, listed.path, generation), listed.facts)
    await apt.generations.want(archive, suite, listed.path)
  } else {
    // An object of an older generation (a client that updated earlier): stored by content, or still on upstream.
    artifact = await apt.generations.indexFiles.openUnlisted({ archive, base, suite, path: dir, acquireByHash: true }, algorithm, hash)
  }
  return serveArtifact(c, artifact, apt.services.store)
}

function findListed(generation: Generation, dir: string, algorithm: ReleaseAlgorithm, hash: string) {
  for (const [path, facts] of Object.entries(generation.files)) {
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : ''
    if (parent === dir && facts[algorithm] === hash) return { path, facts }
  }
  return undefined
}

export async function getMirrorPool(c: AptRouteContext, apt: AptContext, archive: string, path: string): Promise<Response> {
  const { store } = apt.services
  let artifact = await poolArtifact(apt, archive, path)
  // Offline nothing can be fetched again: the held bytes are all there is.
  if (artifact.entry?.meta?.verified === false && !apt.services.config.offline) {
    // Stored before any served index listed it: once one does, the bytes must be what it says, or apt would
    // fail on a hash mismatch for as long as the file is held.
    const known = await apt.poolIndex.lookup(archive, path)
    if (known && known.sha256 !== artifact.entry.blob) {
      artifact.body.destroy()
      apt.services.logger.warn(
        { archive, path, held: artifact.entry.blob, listed: known.sha256 },
        `${archive} ${path} was held unverified and its index now lists other bytes; fetching it again`,
      )
      await store.deleteEntry(artifact.entry.key)
      artifact = await poolArtifact(apt, archive, path)
    } else if (known) {
      await store.putEntry({ ...artifact.entry, meta: { ...artifact.entry.meta, verified: true } })
    }
  }
  return serveArtifact(c, artifact, store)
}

function poolArtifact(apt: AptContext, archive: string, path: string): Promise<ArtifactResponse> {
  return apt.services.cache.artifact({
    key: poolKey(archive, path),
    label: `${archive} ${path}`,
    // Reading the stored Packages and Sources is paid for on a miss only.
    resolve: async () => {
      const known = await apt.poolIndex.lookup(archive, path)
      return {
        url: `${apt.settings.upstreams[archive]}/${encodePath(path)}`,
        ...(known ? { expected: { sha256: known.sha256 }, expectedSize: known.size } : {}),
        contentType: path.endsWith('.deb') ? POOL_CONTENT_TYPE : 'application/octet-stream',
        meta: { archive, path, verified: Boolean(known) },
      }
    },
  })
}
