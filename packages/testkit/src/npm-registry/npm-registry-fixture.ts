/** A fixture npm registry that serves packuments, tarballs, search and audit like registry.npmjs.org. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startFixtureServer, type FixtureServer } from '../fixture-server/fixture-server.js'
import type { PackedPackage } from '../npm-pack/npm-pack.js'
import { isNotModified } from './conditional.js'
import { createPackumentStore, type Packument, type PackumentStore } from './packument-store.js'
import { EMPTY_AUDIT_REPORT, searchResults } from './registry-endpoints.js'

export const ABBREVIATED_PACKUMENT_TYPE = 'application/vnd.npm.install-v1+json'
export const DEFAULT_DIST_TAG = 'latest'

export interface NpmRegistryFixtureOptions {
  packages?: readonly PackedPackage[]
  /** Always serve the full packument, like registries that ignore install-v1 negotiation. */
  ignoreAcceptHeader?: boolean
  /** ETag + Last-Modified on packuments, and 304 answers to conditional requests. Default true. */
  sendValidators?: boolean
  port?: number
}

export interface PublishOptions {
  tag?: string
}

export interface NpmRegistryFixture extends FixtureServer {
  /** Adds versions at runtime; moves time.modified and so changes the ETag and Last-Modified. */
  publish(packages: PackedPackage | readonly PackedPackage[], options?: PublishOptions): void
  /** The current full document, as `GET /<name>` would serve it. */
  packument(name: string): Packument | undefined
  removeVersion(name: string, version: string): boolean
}

type PackageRoute =
  | { kind: 'packument'; name: string }
  | { kind: 'version'; name: string; version: string }
  | { kind: 'tarball'; name: string; filename: string }

export async function startNpmRegistryFixture(options: NpmRegistryFixtureOptions = {}): Promise<NpmRegistryFixture> {
  const { packages = [], ignoreAcceptHeader = false, sendValidators = true, port } = options
  let store: PackumentStore | undefined
  let registryUrl = ''

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    if (!store) throw new Error('npm registry fixture is still starting')
    const url = new URL(req.url ?? '/', 'http://fixture.invalid')
    const method = req.method ?? 'GET'
    const path = url.pathname
    if (method === 'POST') {
      // Drained so the client's request is fully consumed before it reads the answer.
      for await (const _chunk of req);
      if (path === '/-/npm/v1/security/advisories/bulk') return sendJson(res, 200, {})
      if (path === '/-/npm/v1/security/audits/quick') return sendJson(res, 200, EMPTY_AUDIT_REPORT)
    }
    if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'Method not allowed' })
    if (path === '/-/ping') return sendJson(res, 200, {})
    if (path === '/-/v1/search') return sendJson(res, 200, searchResults(store, registryUrl, url.searchParams))

    const route = parsePackagePath(path)
    if (route?.kind === 'packument') {
      const wantsAbbreviated = !ignoreAcceptHeader && (req.headers.accept ?? '').includes(ABBREVIATED_PACKUMENT_TYPE)
      const document = store.render(route.name, wantsAbbreviated ? 'abbreviated' : 'full')
      if (!document) return sendJson(res, 404, { error: 'Not found' })
      res.setHeader('content-type', wantsAbbreviated ? ABBREVIATED_PACKUMENT_TYPE : 'application/json')
      if (!ignoreAcceptHeader) res.setHeader('vary', 'Accept')
      if (sendValidators) {
        res.setHeader('etag', document.etag)
        res.setHeader('last-modified', document.lastModified)
        if (isNotModified(req.headers, document.etag, document.lastModified)) {
          res.statusCode = 304
          return void res.end()
        }
      }
      res.setHeader('content-length', document.body.length)
      return void res.end(document.body)
    }
    if (route?.kind === 'version') {
      const document = store.versionDocument(route.name, route.version)
      return document ? sendJson(res, 200, document) : sendJson(res, 404, { error: 'Not found' })
    }
    if (route?.kind === 'tarball') {
      const pkg = store.tarball(route.name, route.filename)
      if (!pkg) return sendJson(res, 404, { error: 'Not found' })
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': pkg.tarball.length })
      return void res.end(pkg.tarball)
    }
    return sendJson(res, 404, { error: 'Not found' })
  }

  const server = await startFixtureServer({ handler, ...(port === undefined ? {} : { port }) })
  registryUrl = server.url
  store = createPackumentStore({ registryUrl })
  const ready = store
  if (packages.length > 0) ready.publish(packages, DEFAULT_DIST_TAG)

  return Object.assign(server, {
    publish: (batch: PackedPackage | readonly PackedPackage[], publishOptions: PublishOptions = {}) => {
      const { tag = DEFAULT_DIST_TAG } = publishOptions
      if (typeof tag !== 'string' || tag === '') throw new TypeError('tag must be a non-empty string')
      ready.publish(Array.isArray(batch) ? batch : [batch as PackedPackage], tag)
    },
    packument: (name: string) => ready.packument(name),
    removeVersion: (name: string, version: string) => ready.removeVersion(name, version),
  })
}

/**
 * Scoped names arrive as `@scope%2fname`, `@scope%2Fname` or `@scope/name` depending on the
 * client (and `%40scope` from a few); all of them mean the same package.
 */
export function parsePackagePath(rawPath: string): PackageRoute | undefined {
  let raw = rawPath.replace(/^\/+/, '').replace(/^%40/i, '@')
  if (raw.startsWith('@')) raw = raw.replace(/%2f/i, '/')
  let segments: string[]
  try {
    segments = raw.split('/').map((segment) => decodeURIComponent(segment))
  } catch {
    return undefined
  }
  if (segments.some((segment) => segment === '')) return undefined
  const nameLength = segments[0]?.startsWith('@') ? 2 : 1
  if (segments.length < nameLength) return undefined
  const name = segments.slice(0, nameLength).join('/')
  const rest = segments.slice(nameLength)
  if (rest.length === 0) return { kind: 'packument', name }
  if (rest.length === 1) return { kind: 'version', name, version: rest[0] as string }
  if (rest.length === 2 && rest[0] === '-') return { kind: 'tarball', name, filename: rest[1] as string }
  return undefined
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body))
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length })
  res.end(bytes)
}
