/** What every files route shares: the services, the settings, where the mirror is mounted, and the hosted files. */
import { mirrorBaseUrl, type CacheEntry, type LarderEnv, type MirrorContext } from '@larder/core'
import type { Context } from 'hono'
import type { HostedFiles } from '../hosted/hosted-files.js'
import type { FilesSettings } from '../settings/files-settings.js'

export interface FilesContext extends MirrorContext<FilesSettings> {
  hosted: HostedFiles
}

export type FilesRouteContext = Context<LarderEnv>

/** The URL of [repo, ...segments] as the client sees it (behind a proxy too); `slash` for a directory. */
export function filesUrl(c: FilesRouteContext, files: FilesContext, segments: readonly string[], slash = false): string {
  const path = segments.map(encodeURIComponent).join('/')
  return `${mirrorBaseUrl(c, files)}/${path}${slash && path ? '/' : ''}`
}

/** The digests a client can check the bytes against: sha256 always, sha1 and md5 when the uploader declared them. */
export function checksumHeaders(entry: CacheEntry): Record<string, string> {
  const headers: Record<string, string> = { 'x-checksum-sha256': entry.blob! }
  const digests = (entry.meta?.digests ?? {}) as Record<string, unknown>
  if (typeof digests.sha1 === 'string') headers['x-checksum-sha1'] = digests.sha1
  if (typeof digests.md5 === 'string') headers['x-checksum-md5'] = digests.md5
  return headers
}
