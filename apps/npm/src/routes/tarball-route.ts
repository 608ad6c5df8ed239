/** GET of a tarball: private ones from the store; mirrored ones fetched once, verified against the packument's integrity. */
import { LarderError, parseIntegrity, serveArtifact, serveHostedFile, type ArtifactSource, type ExpectedDigests } from '@larder/core'
import type { PackageName } from '../names/package-name.js'
import { UPSTREAM_KEY_PREFIX } from '../packument/packument-source.js'
import type { TarballSource } from '../packument/stored-packument.js'
import type { NpmContext, NpmRouteContext } from './npm-context.js'

export const TARBALL_KEY_PREFIX = 'npm:tarball:'

export async function getTarball(c: NpmRouteContext, npm: NpmContext, name: PackageName, filename: string): Promise<Response> {
  const { cache, store } = npm.services
  if (await npm.privateRegistry.owns(name)) {
    const own = await npm.privateRegistry.tarballEntry(name, filename)
    if (!own) throw new LarderError('E_NOT_FOUND', `${name.full} is published to Larder and has no ${filename}`)
    return serveHostedFile(c, store, own, 'application/octet-stream')
  }
  const key = `${TARBALL_KEY_PREFIX}${name.full}/${filename}`
  const label = `${name.full}/-/${filename}`
  const located = () => upstreamTarball(npm, name, filename)
  const artifact = await npm.tarballGuesses.fetch(key, (resolve) => cache.artifact({ key, label, resolve }), {
    located,
    // The registry's own tarball URLs keep a scope's slash (`/@scope/name/-/name-1.0.0.tgz`); only packuments encode it.
    guessedUrl: `${npm.settings.upstream}/${name.scope ? `@${encodeURIComponent(name.scope)}/` : ''}${encodeURIComponent(name.bare)}/-/${encodeURIComponent(filename)}`,
    packumentHeld: async () => (await store.getEntry(UPSTREAM_KEY_PREFIX + name.full)) !== undefined,
  })
  if (artifact.entry) {
    // Stored bytes never change; the answer holds while the name stays unpublished here and the entry stays.
    c.set('hotHint', {
      deps: [
        [npm.privateRegistry.documentKey(name), undefined],
        [key, artifact.entry],
      ],
      validUntil: Number.POSITIVE_INFINITY,
      cache: artifact.result === 'OFFLINE' ? 'OFFLINE' : 'HIT',
      onHit: () => cache.options.onServed?.(key),
    })
  }
  return serveArtifact(c, artifact, store)
}

/** Where upstream has the tarball and its digests, per the packument; a file the cached copy lacks refreshes it once. */
export async function upstreamTarball(npm: NpmContext, name: PackageName, filename: string): Promise<ArtifactSource> {
  let handle = await npm.packuments.fromUpstream(name)
  let source = await npm.packuments.tarballSource(handle, filename)
  if (!source && npm.packuments.mayRefresh(handle)) {
    handle = await npm.packuments.fromUpstream(name, { forceRefresh: true })
    source = await npm.packuments.tarballSource(handle, filename)
  }
  if (!source) throw new LarderError('E_NOT_FOUND', `${filename} is not a tarball of ${name.full}`)
  const expected = expectedDigests(source)
  if (Object.keys(expected).length === 0) {
    throw new LarderError('E_INTEGRITY', `${name.full}@${source.version} has neither dist.integrity nor dist.shasum`, {
      hint: 'Larder stores only tarballs it can verify; the upstream packument must give a digest',
    })
  }
  return { url: source.url, expected, contentType: 'application/octet-stream', meta: { version: source.version } }
}

/** sha512 from the integrity when there is one (what npm itself checks), else the legacy sha1 shasum. */
export function expectedDigests(source: TarballSource): ExpectedDigests {
  const fromIntegrity = parseIntegrity(source.integrity)
  if (fromIntegrity.sha512) return { sha512: fromIntegrity.sha512 }
  if (Object.keys(fromIntegrity).length > 0) return fromIntegrity
  if (source.shasum && /^[0-9a-f]{40}$/i.test(source.shasum)) return { sha1: source.shasum.toLowerCase() }
  return {}
}
