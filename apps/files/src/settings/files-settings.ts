/** The files mirror's settings (LARDER_FILES_*), read and checked once at start. */
import { LarderError, parseNamedUrls, type Env } from '@larder/core'

export const UPSTREAMS_ENV = 'LARDER_FILES_UPSTREAMS'
/** The two hosts Dockerfiles and provisioning scripts most often `curl -L` from. */
export const DEFAULT_FILES_UPSTREAMS = 'github=https://github.com,nodejs=https://nodejs.org/dist'
/** Says "no upstreams at all": an empty value means the default, as for every other LARDER_* list. */
export const NO_UPSTREAMS = 'none'

export interface FilesSettings {
  /** Upstream name -> base URL without a trailing slash; the first path segment that names one is remote. */
  upstreams: Readonly<Record<string, string>>
}

export function readFilesSettings(env: Env): FilesSettings {
  const text = env[UPSTREAMS_ENV]?.trim() || DEFAULT_FILES_UPSTREAMS
  if (text.toLowerCase() === NO_UPSTREAMS) return { upstreams: {} }
  const upstreams = parseNamedUrls(UPSTREAMS_ENV, text)
  for (const [name, url] of Object.entries(upstreams)) {
    // The file's path is appended to the URL and the client's query after it: the base can carry neither.
    if (/[?#]/.test(url)) throw new LarderError('E_INVALID_OPTION', `${UPSTREAMS_ENV} (${name}): "${url}" must be a base URL without ? or #`)
  }
  return { upstreams }
}
