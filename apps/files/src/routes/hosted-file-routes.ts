/** GET/HEAD, PUT and DELETE of one hosted file: /files/<repo>/<path>. */
import { LarderError, discardSpooledFile, readRawUpload, serveHostedFile, SAFE_ARTIFACT_CONTENT_TYPE } from '@larder/core'
import { extraAlgorithms, readDeclaredDigests, verifyDeclared } from '../hosted/checksums.js'
import { displayPath } from '../names/files-path.js'
import { readQueryPin } from '../names/query-pin.js'
import { checksumHeaders, filesUrl, type FilesContext, type FilesRouteContext } from './files-context.js'

export async function getHostedFile(c: FilesRouteContext, files: FilesContext, repo: string, path: readonly string[]): Promise<Response> {
  const { pin } = readQueryPin(c.req.url)
  const entry = await files.hosted.file(repo, path)
  if (!entry) {
    // A folder asked for without its '/': browsers and curl -L then list it.
    if (await files.hosted.directory([repo, ...path])) return c.redirect(filesUrl(c, files, [repo, ...path], true), 301)
    throw new LarderError('E_NOT_FOUND', `${displayPath(repo, path)} is not a hosted file`)
  }
  if (pin && entry.blob !== pin) throw pinConflict(displayPath(repo, path), entry.blob!, pin)
  return serveHostedFile(c, files.services.store, entry, SAFE_ARTIFACT_CONTENT_TYPE, checksumHeaders(entry))
}

/** `curl --upload-file app.tgz -H 'Authorization: Bearer …' …/files/builds/app/1.0/app.tgz`: 201 new, 200 the same bytes again. */
export async function putHostedFile(c: FilesRouteContext, files: FilesContext, repo: string, path: readonly string[]): Promise<Response> {
  const { services, hosted } = files
  const principal = services.tokens.requirePublisher(c.req.header('authorization'), 'files')
  const what = displayPath(repo, path)
  const declared = readDeclaredDigests((name) => c.req.header(name))
  // Before the body: a conflicting upload of several GB is refused without reading it.
  await hosted.admit(repo, path, declared.sha256)
  const upload = await readRawUpload(c.req.raw, {
    spoolDir: services.store.spoolDir,
    maxBytes: services.config.maxUploadBytes,
    label: `the upload of ${what}`,
    algorithms: extraAlgorithms(declared),
  })
  let stored
  try {
    verifyDeclared(what, declared, upload)
    const { sha256: _, ...digests } = upload.digests
    stored = await hosted.put(repo, path, upload, principal.name, digests as Record<string, string>)
  } finally {
    // Gone already if the store took it.
    await discardSpooledFile(upload)
  }
  const { entry, created } = stored
  services.logger.info(
    { app: 'files', path: what, sha256: entry.blob, size: entry.size, by: principal.name, created },
    created ? 'file uploaded' : 'file uploaded again (same bytes)',
  )
  c.set('cacheResult', 'PRIVATE')
  const url = filesUrl(c, files, [repo, ...path])
  const body = {
    path: what,
    url,
    size: entry.size,
    sha256: entry.blob,
    uploadedAt: new Date(entry.fetchedAt).toISOString(),
    uploadedBy: entry.meta?.uploadedBy,
  }
  return c.json(body, created ? 201 : 200, { location: url, etag: `"${entry.blob}"`, ...checksumHeaders(entry) })
}

export async function deleteHostedFile(c: FilesRouteContext, files: FilesContext, repo: string, path: readonly string[]): Promise<Response> {
  const principal = files.services.tokens.requirePublisher(c.req.header('authorization'), 'files')
  const what = displayPath(repo, path)
  const removed = await files.hosted.remove(repo, path, principal.name)
  files.services.logger.info({ app: 'files', path: what, sha256: removed.blob, by: principal.name }, 'file deleted')
  c.set('cacheResult', 'PRIVATE')
  return c.json({ deleted: what, sha256: removed.blob })
}

/** A pinned URL never gets other bytes, whatever is held under its path. */
export function pinConflict(what: string, held: string, pin: string): LarderError {
  return new LarderError('E_CONFLICT', `${what} is held with sha256 ${held}, not the pinned ${pin}`, {
    hint: 'the pin names other bytes than Larder holds for this URL: check the ?sha256= value',
  })
}
