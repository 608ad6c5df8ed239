/** GET of a tarball: private ones from the store; mirrored ones fetched once, verified against the packument's integrity. */
import { LarderError, parseIntegrity, serveArtifact, type ExpectedDigests } from '@larder/core'
import type { PackageName } from '../names/package-name.js'
import type { TarballSource } from '../packument/stored-packument.js'
import type { NpmContext, NpmRouteContext } from './npm-context.js'

export const TARBALL_KEY_PREFIX = 'npm:tarball:'

export async function getTarball(c: NpmRouteContext, npm: NpmContext, name: PackageName, filename: string): Promise<Response> {
  const { cache, store } = npm.services
  const own = await npm.privateRegistry.tarballEntry(name, filename)
  if (own?.blob) {
    const body = await store.openBlob(own.blob)
    if (body) return serveArtifact(c, { result: 'PRIVATE', body, size: own.size, contentType: 'application/octet-stream', entry: own }, store)
  }
  if (await npm.privateRegistry.owns(name)) {
    throw new LarderError('E_NOT_FOUND', `${name.full} is published to Larder and has no ${filename}`)
  }
  const key = `${TARBALL_KEY_PREFIX}${name.full}/${filename}`
  const stored = await cache.lookupArtifact(key)
  if (stored) return serveArtifact(c, stored, store)

  let handle = await npm.packuments.get(name)
  let source = await npm.packuments.tarballSource(handle, filename)
  if (!source && npm.packuments.mayRefresh(handle)) {
    handle = await npm.packuments.get(name, { forceRefresh: true })
    source = await npm.packuments.tarballSource(handle, filename)
  }
  if (!source) throw new LarderError('E_NOT_FOUND', `${filename} is not a tarball of ${name.full}`)
  const expected = expectedDigests(source)
  if (Object.keys(expected).length === 0) {
    throw new LarderError('E_INTEGRITY', `${name.full}@${source.version} has neither dist.integrity nor dist.shasum`, {
      hint: 'Larder stores only tarballs it can verify; the upstream packument must give a digest',
    })
  }
  const artifact = await cache.artifact({
    key,
    url: source.url,
    expected,
    contentType: 'application/octet-stream',
    label: `${name.full}/-/${filename}`,
    meta: { version: source.version },
  })
  return serveArtifact(c, artifact, store)
}

/** sha512 from the integrity when there is one (what npm itself checks), else the legacy sha1 shasum. */
export function expectedDigests(source: TarballSource): ExpectedDigests {
  const fromIntegrity = parseIntegrity(source.integrity)
  if (fromIntegrity.sha512) return { sha512: fromIntegrity.sha512 }
  if (Object.keys(fromIntegrity).length > 0) return fromIntegrity
  if (source.shasum && /^[0-9a-f]{40}$/i.test(source.shasum)) return { sha1: source.shasum.toLowerCase() }
  return {}
}
