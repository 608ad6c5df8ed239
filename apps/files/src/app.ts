/** Generic files: build outputs hosted by path and checksum, and release downloads from named upstreams mirrored once; declared for the server to mount. */
import { defineMirror, LarderError, mountMirror, readRoute, writeAction, type LarderEnv, type LarderServices, type MirrorRoute } from '@larder/core'
import type { Hono } from 'hono'
import { HostedFiles } from './hosted/hosted-files.js'
import { parseFilesPath, type FilesPath } from './names/files-path.js'
import { checkRawTarget } from './names/raw-target.js'
import type { FilesContext, FilesRouteContext } from './routes/files-context.js'
import { deleteHostedFile, getHostedFile, putHostedFile } from './routes/hosted-file-routes.js'
import { getListing } from './routes/listing-route.js'
import { getRemoteFile } from './routes/remote-file-route.js'
import { checkUpstreamNames } from './settings/upstream-names.js'
import { readFilesSettings, type FilesSettings } from './settings/files-settings.js'

export const DEFAULT_FILES_PREFIX = '/files'

export const filesMirror = defineMirror<FilesSettings>({
  name: 'files',
  prefix: DEFAULT_FILES_PREFIX,
  settings: readFilesSettings,
  create(services, settings) {
    const files: FilesContext = {
      services,
      settings,
      prefix: DEFAULT_FILES_PREFIX,
      hosted: new HostedFiles(services.store, Date.now, services.events, services.leases),
    }
    return {
      clientPaths: '/',
      start: () => checkUpstreamNames(files.hosted, settings),
      route: (c, rawPath) => {
        // The URL below is already resolved; the request line shows what the client meant.
        checkRawTarget(c.env?.incoming?.url)
        return routeFor(c, files, parseFilesPath(rawPath, settings.upstreams))
      },
    }
  },
})

/** The files mirror alone, mounted at /files (tests; processes use launch). */
export function createApp(options: { services: LarderServices; settings?: FilesSettings }): Hono<LarderEnv> {
  return mountMirror(filesMirror, options.services, options.settings).app
}

/** What each method does on a path: reads and writes are told apart here, not by method. */
function routeFor(c: FilesRouteContext, files: FilesContext, path: FilesPath): MirrorRoute {
  switch (path.kind) {
    case 'root':
      return { what: 'the files root', methods: readRoute(() => getListing(c, files, [], path.slash)) }
    case 'hosted-dir':
      return { what: 'a hosted directory', methods: readRoute(() => getListing(c, files, [path.repo, ...path.dir], path.slash)) }
    case 'hosted-file':
      return {
        what: 'a hosted file',
        methods: {
          ...readRoute(() => getHostedFile(c, files, path.repo, path.path)),
          PUT: writeAction(() => putHostedFile(c, files, path.repo, path.path)),
          DELETE: writeAction(() => deleteHostedFile(c, files, path.repo, path.path)),
        },
      }
    case 'remote-file':
      return { what: `a file of the ${path.upstream} upstream`, methods: readRoute(() => getRemoteFile(c, files, path.upstream, path.path)) }
    case 'remote-dir':
      return {
        what: `the ${path.upstream} upstream`,
        methods: readRoute(() => {
          throw new LarderError('E_NOT_FOUND', `${path.upstream} is an upstream: its directories are not listed`, {
            hint: `ask for a file: ${DEFAULT_FILES_PREFIX}/${path.upstream}/<path of the file upstream>`,
          })
        }),
      }
  }
}
