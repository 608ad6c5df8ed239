/** The PyPI app: a mirror of any PEP 503/691 simple index plus uploaded private projects, mounted under a prefix. */
import { Hono } from 'hono'
import { LarderError, errorHandler, notFoundHandler, rawPathAfter, readRoute, requestEdge, runRoute, writeAction, type LarderEnv, type LarderServices, type RouteMethods } from '@larder/core'
import { parsePypiPath, type PypiPath } from './names/pypi-path.js'
import { PrivateIndex } from './private/private-index.js'
import { PRIVATE_NAMES_ENV, parsePrivateNames } from './private/private-names.js'
import { getFile } from './routes/file-routes.js'
import { getMetadata } from './routes/metadata-route.js'
import { appBase, type PypiContext, type PypiRouteContext } from './routes/pypi-context.js'
import { getProjectPage, getRoot } from './routes/simple-routes.js'
import { postUpload } from './routes/upload-route.js'
import { PageSource } from './simple/page-source.js'

export const DEFAULT_PYPI_PREFIX = '/pypi'

export interface PypiAppOptions {
  services: LarderServices
  prefix?: string
  /** Projects (or `prefix*`) private before their first upload; read from LARDER_PYPI_PRIVATE_NAMES when absent. */
  privateNames?: string[]
}

export function createApp(options: PypiAppOptions): Hono<LarderEnv> {
  const { services } = options
  const prefix = options.prefix ?? DEFAULT_PYPI_PREFIX
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new LarderError('E_INVALID_OPTION', `prefix must look like /pypi, got "${prefix}"`)
  const listed = parsePrivateNames(options.privateNames?.join(',') ?? process.env[PRIVATE_NAMES_ENV])
  const privateIndex = new PrivateIndex(services.store, (project) => listed.has(project))
  const pypi: PypiContext = { services, prefix, privateIndex, pages: new PageSource(services, privateIndex) }
  const edge = { app: 'pypi', logger: services.logger, metrics: services.metrics, via: services.via }
  const app = new Hono<LarderEnv>()
  app.use(`${prefix}/*`, requestEdge(edge))
  app.onError(errorHandler(edge))
  app.notFound(notFoundHandler)
  app.all(`${prefix}/*`, (c) => dispatch(c, pypi))
  app.all(prefix, (c) => dispatch(c, pypi))
  return app
}

async function dispatch(c: PypiRouteContext, pypi: PypiContext): Promise<Response> {
  const authorization = c.req.header('authorization')
  // With LARDER_PROTECT_READS every request needs a token of pypi before anything is parsed or fetched.
  pypi.services.tokens.requireReader(authorization, 'pypi')
  const path = parsePypiPath(rawPathAfter(c.req.url, pypi.prefix))
  return runRoute(routesFor(c, pypi, path), { method: c.req.method, authorization }, pypi.services.tokens, 'pypi', `the PyPI ${path.kind} URL`)
}

/** What each method does on a path: reads and writes are told apart here, not by method, and checked by runRoute. */
function routesFor(c: PypiRouteContext, pypi: PypiContext, path: PypiPath): RouteMethods {
  switch (path.kind) {
    case 'upload':
      return {
        // No redirect: a path that resolved here from dot segments (/simple/%2e%2e/) deserves a plain 404.
        ...readRoute(() => {
          throw new LarderError('E_NOT_FOUND', 'this is the upload endpoint', { hint: `the index is at ${appBase(c, pypi)}/simple/` })
        }),
        POST: writeAction(() => postUpload(c, pypi)),
      }
    case 'simple-root':
      return readRoute(() => (path.trailingSlash ? getRoot(c, pypi) : c.redirect(`${appBase(c, pypi)}/simple/`, 301)))
    case 'project':
      return readRoute(() => getProjectPage(c, pypi, path.raw, path.trailingSlash))
    case 'file':
      return readRoute(() =>
        path.metadata ? getMetadata(c, pypi, path.project, path.sha256, path.filename) : getFile(c, pypi, path.project, path.sha256, path.filename),
      )
    case 'unknown':
      throw new LarderError('E_NOT_FOUND', `no such PyPI endpoint: ${new URL(c.req.url).pathname}`)
  }
}
