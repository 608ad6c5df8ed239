/** A fixture code host: serves dist zips (like a zipball API) on its own port, apart from the metadata host. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startFixtureServer, type FixtureServer } from '../fixture-server/fixture-server.js'
import type { ComposerPackage } from './composer-package.js'

export interface ComposerDistFixture extends FixtureServer {
  /** Serves `bytes` (the package's zip by default) and returns its URL: /zipball/<vendor>/<name>/<reference>. */
  add(pkg: ComposerPackage, bytes?: Buffer): string
}

export async function startComposerDistFixture(options: { port?: number } = {}): Promise<ComposerDistFixture> {
  const files = new Map<string, Buffer>()
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://fixture.invalid').pathname
    const bytes = req.method === 'GET' || req.method === 'HEAD' ? files.get(path) : undefined
    if (!bytes) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      return void res.end('not found\n')
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': bytes.length })
    res.end(req.method === 'HEAD' ? undefined : bytes)
  }
  const server = await startFixtureServer({ handler, ...(options.port === undefined ? {} : { port: options.port }) })
  return Object.assign(server, {
    add: (pkg: ComposerPackage, bytes: Buffer = pkg.zip) => {
      const path = `/zipball/${pkg.name}/${pkg.reference}`
      files.set(path, bytes)
      return `${server.url}${path}`
    },
  })
}
