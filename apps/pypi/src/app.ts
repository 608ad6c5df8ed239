/** The PyPI app: a mirror of any PEP 503/691 simple index plus uploaded private projects, mounted under a prefix. */
import { Hono } from 'hono'
import { LarderError, errorHandler, notFoundHandler, rawPathAfter, requestEdge, type LarderEnv, type LarderServices } from '@larder/core'
import { parsePypiPath } from './names/pypi-path.js'
import { PrivateIndex } from './private/private-index.js'
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
}

export function createApp(options: PypiAppOptions): Hono<LarderEnv> {
  const { services } = options
  const prefix = options.prefix ?? DEFAULT_PYPI_PREFIX
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new LarderError('E_INVALID_OPTION', `prefix must look like /pypi, got "${prefix}"`)
  const privateIndex = new PrivateIndex(services.store)
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
  const method = c.req.method
  const isRead = method === 'GET' || method === 'HEAD'
  if (isRead) pypi.services.tokens.requireReader(c.req.header('authorization'), 'pypi')
  const path = parsePypiPath(rawPathAfter(c.req.url, pypi.prefix))
  switch (path.kind) {
    case 'upload':
      if (method === 'POST') return postUpload(c, pypi)
      // No redirect: a path that resolved here from dot segments (/simple/%2e%2e/) deserves a plain 404.
      throw new LarderError('E_NOT_FOUND', 'this is the upload endpoint', { hint: `the index is at ${appBase(c, pypi)}/simple/` })
    case 'simple-root':
      if (!isRead) break
      if (!path.trailingSlash) return c.redirect(`${appBase(c, pypi)}/simple/`, 301)
      return getRoot(c, pypi)
    case 'project':
      if (isRead) return getProjectPage(c, pypi, path.raw, path.trailingSlash)
      break
    case 'file':
      if (!isRead) break
      return path.metadata ? getMetadata(c, pypi, path.project, path.sha256, path.filename) : getFile(c, pypi, path.project, path.sha256, path.filename)
    case 'unknown':
      throw new LarderError('E_NOT_FOUND', `no such PyPI endpoint: ${new URL(c.req.url).pathname}`)
  }
  throw new LarderError('E_NOT_FOUND', `${method} is not supported here`)
}
