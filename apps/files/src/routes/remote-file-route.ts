/**
 * GET/HEAD /files/<upstream>/<path>: the upstream's file fetched once (redirects followed, the query kept but
 * for Larder's own ?sha256=), stored, then always served with the same bytes, from the store also when the
 * upstream is down or Larder is offline. A pin is checked on the download and against what is held.
 */
import {
  LarderError,
  formatOfFilename,
  isLarderError,
  serveArtifact,
  SAFE_ARTIFACT_CONTENT_TYPE,
  type ArtifactFormat,
  type ArtifactResponse,
  type CacheEntry,
} from '@larder/core'
import { displayPath } from '../names/files-path.js'
import { readQueryPin } from '../names/query-pin.js'
import { remoteKey } from '../remote/remote-keys.js'
import { checksumHeaders, type FilesContext, type FilesRouteContext } from './files-context.js'
import { pinConflict } from './hosted-file-routes.js'

export async function getRemoteFile(c: FilesRouteContext, files: FilesContext, upstream: string, path: readonly string[]): Promise<Response> {
  const { pin, rest } = readQueryPin(c.req.url)
  const { cache, store } = files.services
  const label = displayPath(upstream, path) + (rest ? `?${rest}` : '')
  const key = remoteKey(upstream, path, rest)
  const artifact = (await cache.lookupArtifact(key)) ?? (await fetchOnce(files, { key, label, upstream, path, rest, pin }))
  const entry = artifact.entry
  // An unpinned first download streams as it arrives: its digest is logged once stored, and on every later answer.
  if (!entry && artifact.stored) return serveArtifact(c, { ...artifact, contentType: SAFE_ARTIFACT_CONTENT_TYPE }, store)
  if (!entry?.blob) {
    artifact.body.destroy()
    throw new LarderError('E_STORE', `${label} was fetched but is not in the store`)
  }
  // Also after a fetch: a pinned request may have joined a download another request started without a pin.
  if (pin && entry.blob !== pin) {
    artifact.body.destroy()
    throw pinConflict(label, entry.blob, pin)
  }
  return serveArtifact(c, { ...artifact, contentType: SAFE_ARTIFACT_CONTENT_TYPE }, store, checksumHeaders(entry))
}

/**
 * An unpinned file is stored as first fetched: one whose name promises an archive is refused when a page
 * (text/html) that is not that archive comes instead. Bytes under other types pass, whatever the name says.
 */
function pageGuard(filename: string): ArtifactFormat | undefined {
  const format = formatOfFilename(filename)
  return format && { ...format, onlyPages: true }
}

interface RemoteRequest {
  key: string
  label: string
  upstream: string
  path: readonly string[]
  rest: string
  pin: string | undefined
}

/**
 * A pinned download is held until its whole body is verified and stored, so one refused by its pin is a clean
 * error, never a cut-off 200. An unpinned one streams to the first client while it is stored (the first bytes win).
 */
async function fetchOnce(files: FilesContext, request: RemoteRequest): Promise<ArtifactResponse> {
  const base = files.settings.upstreams[request.upstream]!
  // Segments hold only characters a path may carry as they are (names/path-segments.ts): sent unencoded, as the client wrote them.
  const url = `${base}/${request.path.join('/')}${request.rest ? `?${request.rest}` : ''}`
  let artifact: ArtifactResponse
  try {
    artifact = await files.services.cache.artifact({
      key: request.key,
      label: request.label,
      url,
      expected: request.pin ? { sha256: request.pin } : undefined,
      contentType: SAFE_ARTIFACT_CONTENT_TYPE,
      holdUntilVerified: request.pin !== undefined,
      format: pageGuard(request.path.at(-1) ?? ''),
      meta: { upstream: request.upstream },
    })
  } catch (error) {
    // A body cut short is an E_INTEGRITY too, and keeps its own message.
    const got = isLarderError(error, 'E_INTEGRITY') ? /sha256 is ([0-9a-f]{64})/.exec(error.message)?.[1] : undefined
    if (request.pin && got) {
      throw new LarderError(
        'E_INTEGRITY',
        `${request.label}: the download from ${withoutCredentials(url)} hashes to ${got}, not the pinned sha256 ${request.pin}; nothing was stored`,
        {
          hint: 'check the ?sha256= value, or whether the upstream replaced the file',
          cause: error,
        },
      )
    }
    throw error
  }
  if (artifact.result === 'MISS') {
    const stored = artifact.entry ? Promise.resolve(artifact.entry) : artifact.stored
    // Logged once stored, with the digest to pin; a refused download is logged by the cache.
    void stored?.then((entry) => logStored(files, request, entry)).catch(() => {})
  }
  return artifact
}

function logStored(files: FilesContext, request: RemoteRequest, entry: CacheEntry): void {
  const final = entry.meta?.url
  const from = typeof final === 'string' ? withoutCredentials(final) : undefined
  const sha256 = entry.blob
  files.services.logger.info(
    { app: 'files', upstream: request.upstream, path: request.label, url: from, sha256, size: entry.size, pinned: Boolean(request.pin) },
    `stored ${request.label} (sha256 ${sha256}); pin it with ?sha256=${sha256}`,
  )
}

/** An upstream URL may carry a login (https://user:token@host): never in a message. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url)
  parsed.username = ''
  parsed.password = ''
  return parsed.toString()
}
