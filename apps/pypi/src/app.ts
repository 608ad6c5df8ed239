/** The PyPI mirror: a mirror of any PEP 503/691 simple index plus uploaded private projects, declared for the server to mount. */
import { LarderError, defineMirror, mountMirror, readRoute, writeAction, type LarderEnv, type LarderServices, type MirrorRoute } from '@larder/core'
import type { Hono } from 'hono'
import { parsePypiPath, type PypiPath } from './names/pypi-path.js'
import { PrivateIndex } from './private/private-index.js'
import { getFile } from './routes/file-routes.js'
import { getMetadata } from './routes/metadata-route.js'
import { appBase, type PypiContext, type PypiRouteContext } from './routes/pypi-context.js'
import { getProjectPage, getRoot } from './routes/simple-routes.js'
import { postUpload } from './routes/upload-route.js'
import { readPypiSettings, type PypiSettings } from './settings/pypi-settings.js'
import { PageSource } from './simple/page-source.js'

export const DEFAULT_PYPI_PREFIX = '/pypi'

export const pypiMirror = defineMirror<PypiSettings>({
  name: 'pypi',
  prefix: DEFAULT_PYPI_PREFIX,
  settings: readPypiSettings,
  create(services, settings) {
    const privateIndex = new PrivateIndex(services.store, (project) => settings.privateNames.has(project), { events: services.events, leases: services.leases })
    const pypi: PypiContext = {
      services,
      settings,
      prefix: DEFAULT_PYPI_PREFIX,
      privateIndex,
      pages: new PageSource(services, privateIndex, settings.upstream),
    }
    return {
      route: (c, rawPath) => routeFor(c, pypi, parsePypiPath(rawPath)),
      clientPaths: '/simple/',
    }
  },
})

/** The PyPI mirror alone, mounted at /pypi (tests; processes use launch). */
export function createApp(options: { services: LarderServices; settings?: PypiSettings }): Hono<LarderEnv> {
  return mountMirror(pypiMirror, options.services, options.settings).app
}

/** What each method does on a path: reads and writes are told apart here, not by method. */
function routeFor(c: PypiRouteContext, pypi: PypiContext, path: PypiPath): MirrorRoute {
  const what = `the PyPI ${path.kind} URL`
  switch (path.kind) {
    case 'upload':
      return {
        what,
        methods: {
          // No redirect: a path that resolved here from dot segments (/simple/%2e%2e/) deserves a plain 404.
          ...readRoute(() => {
            throw new LarderError('E_NOT_FOUND', 'this is the upload endpoint', { hint: `the index is at ${appBase(c, pypi)}/simple/` })
          }),
          POST: writeAction(() => postUpload(c, pypi)),
        },
      }
    case 'simple-root':
      return { what, methods: readRoute(() => (path.trailingSlash ? getRoot(c, pypi) : c.redirect(`${appBase(c, pypi)}/simple/`, 301))) }
    case 'project':
      return { what, methods: readRoute(() => getProjectPage(c, pypi, path.raw, path.trailingSlash)) }
    case 'file':
      return {
        what,
        methods: readRoute(() =>
          path.metadata ? getMetadata(c, pypi, path.project, path.sha256, path.filename) : getFile(c, pypi, path.project, path.sha256, path.filename),
        ),
      }
    case 'unknown':
      throw new LarderError('E_NOT_FOUND', `no such PyPI endpoint: ${new URL(c.req.url).pathname}`)
  }
}
