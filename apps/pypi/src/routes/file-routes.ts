/** GET of a distribution file or its `.metadata`: private ones from the store; mirrored ones fetched once and verified. */
import { LarderError, serveArtifact, type ExpectedDigests } from '@larder/core'
import { fileKey } from '../files/file-keys.js'
import type { PageHandle } from '../simple/page-source.js'
import { hashSegment, type PageFile } from '../simple/project-page.js'
import type { PypiContext, PypiRouteContext } from './pypi-context.js'

export const FILE_CONTENT_TYPE = 'application/octet-stream'

/** The digests Larder can check, from what the index gave (a file without any is stored as first fetched). */
export function expectedDigests(hashes: Record<string, string>): ExpectedDigests {
  const out: ExpectedDigests = {}
  for (const algorithm of ['sha256', 'sha512', 'sha1', 'md5'] as const) if (hashes[algorithm]) out[algorithm] = hashes[algorithm]
  return out
}

function findFile(handle: PageHandle, filename: string, segment: string): PageFile | undefined {
  return handle.page.files.find((f) => f.filename === filename && hashSegment(f) === segment)
}

/** The page entry listing this file, refreshing a cached page once when the file is newer than it. */
export async function locateFile(pypi: PypiContext, project: string, segment: string, filename: string): Promise<{ handle: PageHandle; file: PageFile }> {
  let handle = await pypi.pages.get(project)
  let file = findFile(handle, filename, segment)
  if (!file && handle.result === 'HIT') {
    handle = await pypi.pages.get(project, { forceRefresh: true })
    file = findFile(handle, filename, segment)
  }
  if (!file) throw new LarderError('E_NOT_FOUND', `${filename} (sha256 ${segment}) is not a file of ${project}`)
  return { handle, file }
}

export async function getFile(c: PypiRouteContext, pypi: PypiContext, project: string, segment: string, filename: string): Promise<Response> {
  const { cache, store } = pypi.services
  const own = await pypi.privateIndex.fileEntry(project, filename)
  if (own?.blob === segment) {
    const body = await store.openBlob(own.blob)
    if (body) return serveArtifact(c, { result: 'PRIVATE', body, size: own.size, contentType: FILE_CONTENT_TYPE, entry: own }, store)
  }
  if (await pypi.privateIndex.owns(project)) {
    throw new LarderError('E_NOT_FOUND', `${project} is a private project and has no ${filename} with sha256 ${segment}`)
  }
  const key = fileKey(project, segment, filename)
  const stored = await cache.lookupArtifact(key)
  if (stored) return serveArtifact(c, stored, store)
  const { file } = await locateFile(pypi, project, segment, filename)
  const artifact = await cache.artifact({
    key,
    url: file.url,
    expected: expectedDigests(file.hashes),
    expectedSize: file.size,
    contentType: FILE_CONTENT_TYPE,
    label: `${project}/${filename}`,
    meta: { project, filename },
  })
  return serveArtifact(c, artifact, store)
}
