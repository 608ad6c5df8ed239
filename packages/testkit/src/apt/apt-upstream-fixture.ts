/** A fixture Debian archive served over HTTP: built with dpkg-deb, apt-ftparchive and a throwaway gpg key, and republishable as a new generation. */
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join, normalize } from 'node:path'
import { startFixtureServer, type FixtureServer } from '../fixture-server/fixture-server.js'
import { makeTempDir } from '../temp/temp-dir.js'
import { createAptArchive, type AptArchive } from './apt-archive.js'
import type { BuiltDeb } from './deb-build.js'
import { createGpgKey, type GpgKey } from './gpg-key.js'

export interface AptUpstreamFixtureOptions {
  debs?: readonly BuiltDeb[]
  suite?: string
  architecture?: string
  validForSeconds?: number
  withoutInRelease?: boolean
  validUntil?: Date
  port?: number
}

export interface AptUpstreamFixture extends FixtureServer {
  readonly archive: AptArchive
  readonly key: GpgKey
  /** Adds debs as a new generation (new Packages, new Release), signed by the fixture key unless `signedBy` says another. */
  publish(debs: readonly BuiltDeb[], options?: { signedBy?: GpgKey }): Promise<void>
  /** Stops the server and removes the archive and the key. */
  stop(): Promise<void>
}

export async function startAptUpstreamFixture(options: AptUpstreamFixtureOptions = {}): Promise<AptUpstreamFixture> {
  const dir = await makeTempDir('larder-apt-archive-')
  const key = await createGpgKey()
  const archive = await createAptArchive({
    root: dir.path,
    key,
    ...(options.suite ? { suite: options.suite } : {}),
    ...(options.architecture ? { architecture: options.architecture } : {}),
    ...(options.validForSeconds ? { validForSeconds: options.validForSeconds } : {}),
    ...(options.withoutInRelease ? { withoutInRelease: true } : {}),
    ...(options.validUntil ? { validUntil: options.validUntil } : {}),
  })
  await archive.publish(options.debs ?? [])

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://fixture.invalid').pathname)
    const relative = normalize(path).replace(/^\/+/, '')
    if ((req.method !== 'GET' && req.method !== 'HEAD') || relative.startsWith('..') || relative.startsWith('.staging')) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      return void res.end('not found\n')
    }
    let body: Buffer
    try {
      body = await readFile(join(dir.path, relative))
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' })
      return void res.end('not found\n')
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
    res.end(req.method === 'HEAD' ? undefined : body)
  }
  const server = await startFixtureServer({ handler, ...(options.port === undefined ? {} : { port: options.port }) })
  const stopServer = server.stop
  return Object.assign(server, {
    archive,
    key,
    publish: (debs: readonly BuiltDeb[], publishOptions?: { signedBy?: GpgKey }) => archive.publish(debs, publishOptions),
    stop: async () => {
      await stopServer()
      await key.cleanup()
      await dir.cleanup()
    },
  })
}
