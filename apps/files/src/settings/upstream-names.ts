/** At start: an upstream may not take the name of a hosted repository, whose files it would hide. */
import { LarderError } from '@larder/core'
import type { HostedFiles } from '../hosted/hosted-files.js'
import { UPSTREAMS_ENV, type FilesSettings } from './files-settings.js'

/** Resolves with the upstream names for the "listening" line; rejects (the process exits 2) on a clash. */
export async function checkUpstreamNames(hosted: HostedFiles, settings: FilesSettings): Promise<Record<string, unknown>> {
  const repositories = (await hosted.directory([]))?.dirs ?? []
  const clash = repositories.filter((name) => Object.hasOwn(settings.upstreams, name))
  if (clash.length > 0) {
    throw new LarderError(
      'E_INVALID_OPTION',
      `${UPSTREAMS_ENV} names ${clash.join(', ')}, which ${clash.length > 1 ? 'are hosted repositories' : 'is a hosted repository'} with files`,
      {
        hint: 'give the upstream another name: /files/<name>/ is either an upstream or a repository',
      },
    )
  }
  return { filesUpstreams: Object.keys(settings.upstreams) }
}
