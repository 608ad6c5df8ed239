/** GET of a distribution file: private ones from the store; mirrored ones fetched once and verified against the page. */
import { LarderError, formatOfFilename, isLarderError, serveArtifact, serveHostedFile, type ArtifactSource, type ExpectedDigests } from '@larder/core'
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

/**
 * The upstream page's entry for this file, refreshing a cached page once when the file is newer than it.
 * Only for projects already found not to be private: a private one must never be looked up upstream.
 */
export async function locateFile(pypi: PypiContext, project: string, segment: string, filename: string): Promise<PageFile> {
  let handle = await pypi.pages.mirrored(project)
  let file = findFile(handle, filename, segment)
  if (!file && handle.result === 'HIT') {
    handle = await pypi.pages.mirrored(project, { forceRefresh: true })
    file = findFile(handle, filename, segment)
  }
  if (!file) throw new LarderError('E_NOT_FOUND', `${filename} (sha256 ${segment}) is not a file of ${project}`)
  return file
}

/** True for the error a cache miss gets while Larder is offline (thrown before the page was read). */
export function isOfflineMiss(error: unknown): boolean {
  return isLarderError(error) && error.code === 'E_OFFLINE_MISS'
}

export async function getFile(c: PypiRouteContext, pypi: PypiContext, project: string, segment: string, filename: string): Promise<Response> {
  const { cache, store } = pypi.services
  const own = await pypi.privateIndex.fileEntry(project, filename)
  if (own?.blob === segment) return serveHostedFile(c, store, own, FILE_CONTENT_TYPE)
  if (await pypi.privateIndex.owns(project)) {
    throw new LarderError('E_NOT_FOUND', `${project} is a private project and has no ${filename} with sha256 ${segment}`)
  }
  const resolve = async (): Promise<ArtifactSource> => {
    const file = await locateFile(pypi, project, segment, filename)
    const expected = expectedDigests(file.hashes)
    return {
      url: file.url,
      expected,
      // The hash decides, as for pip: a wrong PEP 700 size must not make a file with the right bytes unobtainable.
      expectedSize: Object.keys(expected).length > 0 ? undefined : file.size,
      contentType: FILE_CONTENT_TYPE,
      format: formatOfFilename(filename),
      meta: { project, filename },
    }
  }
  try {
    return serveArtifact(c, await cache.artifact({ key: fileKey(project, segment, filename), label: `${project}/${filename}`, resolve }), store)
  } catch (error) {
    // Offline, a file the cached page does not list stays a 404 rather than "not cached".
    if (isOfflineMiss(error)) await locateFile(pypi, project, segment, filename)
    throw error
  }
}
