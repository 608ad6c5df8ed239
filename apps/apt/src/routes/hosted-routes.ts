/** The hosted repository's routes: signed Release files, indexes (by path and by-hash), pool files, the public key, and uploads. */
import { LarderError, discardSpooledFile, readRawUpload, sendStream, serveHostedFile, type CacheEntry } from '@larder/core'
import { Readable } from 'node:stream'
import type { ReleaseAlgorithm } from '../deb822/release-file.js'
import type { ReleaseFileName } from '../paths/apt-path.js'
import { VOLATILE_CACHE_CONTROL, type AptContext, type AptRouteContext } from './apt-context.js'
import { sendReleasePart } from './mirror-routes.js'

const INDEX_CONTENT_TYPE = 'application/octet-stream'

function checkSuite(apt: AptContext, suite: string): void {
  if (suite !== apt.hosted.config.hostedSuite) {
    throw new LarderError('E_NOT_FOUND', `the hosted repository has no suite "${suite}"`, { hint: `its suite is ${apt.hosted.config.hostedSuite}` })
  }
}

export async function getHostedRelease(c: AptRouteContext, apt: AptContext, suite: string, file: ReleaseFileName): Promise<Response> {
  checkSuite(apt, suite)
  c.set('cacheResult', 'PRIVATE')
  return sendReleasePart(c, apt, await apt.hosted.suite(), file)
}

export async function getHostedIndex(c: AptRouteContext, apt: AptContext, suite: string, path: string): Promise<Response> {
  checkSuite(apt, suite)
  const signed = await apt.hosted.suite()
  const part = signed.parts?.[path]
  if (!part || !path.startsWith('main/')) throw new LarderError('E_NOT_FOUND', `the hosted repository has no ${path}`)
  // A part of the signed suite, not an entry of its own: it last changed when the suite was signed.
  const entry: CacheEntry = { key: `${signed.key} ${path}`, status: 'ok', fetchedAt: signed.fetchedAt, blob: part.sha256, size: part.size }
  // The same URL names another file after the next upload.
  return serveHostedFile(c, apt.services.store, entry, INDEX_CONTENT_TYPE, { 'cache-control': VOLATILE_CACHE_CONTROL })
}

export async function getHostedByHash(c: AptRouteContext, apt: AptContext, suite: string, algorithm: ReleaseAlgorithm, hash: string): Promise<Response> {
  checkSuite(apt, suite)
  const entry = algorithm === 'sha256' ? await apt.services.store.getEntry(apt.hosted.byHashKey(hash)) : undefined
  if (!entry?.blob || entry.size === undefined) throw new LarderError('E_NOT_FOUND', `the hosted repository never published an index with ${algorithm} ${hash}`)
  return serveHostedFile(c, apt.services.store, entry, INDEX_CONTENT_TYPE)
}

export async function getHostedPool(c: AptRouteContext, apt: AptContext, path: string): Promise<Response> {
  const entry = await apt.hosted.debEntry(path)
  if (!entry?.blob || entry.size === undefined) throw new LarderError('E_NOT_FOUND', `the hosted repository has no ${path}`)
  return serveHostedFile(c, apt.services.store, entry)
}

export async function getKeyring(c: AptRouteContext, apt: AptContext, format: 'binary' | 'armored'): Promise<Response> {
  const signer = await apt.hosted.signer()
  const bytes = format === 'binary' ? Buffer.from(signer.publicBinary) : Buffer.from(signer.publicArmored)
  c.set('cacheResult', 'PRIVATE')
  const headers = {
    'content-type': format === 'binary' ? 'application/pgp-keys' : 'application/pgp-keys; charset=utf-8',
    'cache-control': VOLATILE_CACHE_CONTROL,
    'x-larder-key-fingerprint': signer.fingerprint,
  }
  return sendStream(c, { headers, body: Readable.from([bytes]), size: bytes.length })
}

export async function putUpload(c: AptRouteContext, apt: AptContext, filename: string | undefined): Promise<Response> {
  const { services } = apt
  const principal = services.tokens.requirePublisher(c.req.header('authorization'), 'apt')
  if (filename !== undefined && !filename.endsWith('.deb')) throw new LarderError('E_BAD_REQUEST', `"${filename}" is not a .deb file name`)
  if (/^multipart\//i.test(c.req.header('content-type') ?? '')) {
    throw new LarderError('E_UNSUPPORTED_MEDIA', 'send the .deb as the request body, not as a form', {
      hint: `curl --fail -T pkg.deb -H "Authorization: Bearer $TOKEN" .../upload/pkg.deb`,
    })
  }
  // The Packages stanza lists MD5sum, SHA1 and SHA256: all hashed as the body streams to the spool file.
  const file = await readRawUpload(c.req.raw, {
    spoolDir: services.store.spoolDir,
    maxBytes: services.config.maxUploadBytes,
    label: 'the upload',
    algorithms: ['md5', 'sha1'],
  })
  let added
  try {
    if (file.size === 0) throw new LarderError('E_BAD_REQUEST', 'the upload is empty', { hint: 'send the .deb as the request body' })
    added = await apt.hosted.add(file, principal.name)
  } finally {
    // Gone already if the store took it.
    await discardSpooledFile(file)
  }
  const { deb, created } = added
  services.logger.info(
    { package: deb.package, version: deb.version, architecture: deb.architecture, sha256: deb.sha256, by: principal.name, created },
    'uploaded',
  )
  c.set('cacheResult', 'PRIVATE')
  return c.json(
    { package: deb.package, version: deb.version, architecture: deb.architecture, filename: deb.poolPath, sha256: deb.sha256, size: deb.size },
    created ? 201 : 200,
  )
}
