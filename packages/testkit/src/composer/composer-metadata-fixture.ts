/** A fixture Composer v2 repository like repo.packagist.org: packages.json, minified p2 files with Last-Modified, security advisories. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startFixtureServer, type FixtureServer } from '../fixture-server/fixture-server.js'
import { isNotModified } from '../npm-registry/conditional.js'
import { MINIFIED_FORMAT, minifyVersions, type ComposerVersion } from './minify.js'

export interface ComposerMetadataFixtureOptions {
  versions?: readonly ComposerVersion[]
  /** Advertise `available-packages` (the names published) in packages.json. */
  listPackages?: boolean
  port?: number
}

export interface ComposerMetadataFixture extends FixtureServer {
  /** Adds versions; the p2 file of each name changes and gets a later Last-Modified. */
  publish(versions: ComposerVersion | readonly ComposerVersion[]): void
  /** What POST /api/security-advisories/ answers for a package. */
  setAdvisories(name: string, advisories: readonly Record<string, unknown>[]): void
  /** The p2 document served now (minified), or undefined. */
  p2(name: string, dev?: boolean): Record<string, unknown> | undefined
}

export const isDevVersion = (version: string) => version.startsWith('dev-') || version.endsWith('-dev')

/** Newest first by version_normalized; dev branches after tags, by name. */
function compareNewestFirst(a: ComposerVersion, b: ComposerVersion): number {
  const parts = (v: ComposerVersion) =>
    String(v.version_normalized ?? v.version)
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0)
  const [pa, pb] = [parts(a), parts(b)]
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0)
  return String(a.version).localeCompare(String(b.version))
}

export async function startComposerMetadataFixture(options: ComposerMetadataFixtureOptions = {}): Promise<ComposerMetadataFixture> {
  const files = new Map<string, { versions: ComposerVersion[]; lastModified: number }>()
  const advisories = new Map<string, readonly Record<string, unknown>[]>()
  const fileKey = (name: string, dev: boolean) => (dev ? `${name}~dev` : name)

  const publish = (batch: ComposerVersion | readonly ComposerVersion[]) => {
    for (const version of Array.isArray(batch) ? batch : [batch as ComposerVersion]) {
      const key = fileKey(String(version.name), isDevVersion(String(version.version)))
      const file = files.get(key)
      // Whole seconds, strictly increasing: clients compare Last-Modified at one-second precision.
      const lastModified = Math.max(Math.ceil(Date.now() / 1000) * 1000, (file?.lastModified ?? 0) + 1000)
      files.set(key, { versions: [...(file?.versions ?? []), version].sort(compareNewestFirst), lastModified })
    }
  }
  publish(options.versions ?? [])
  const p2 = (name: string, dev = false) => {
    const file = files.get(fileKey(name, dev))
    return file && { packages: { [name]: minifyVersions(file.versions) }, minified: MINIFIED_FORMAT }
  }

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fixture.invalid')
    if (url.pathname === '/packages.json') {
      const names = [...new Set([...files.keys()].map((k) => k.replace(/~dev$/, '')))]
      return sendJson(res, 200, {
        packages: [],
        'metadata-url': '/p2/%package%.json',
        'security-advisories': { metadata: false, 'api-url': `http://${req.headers.host}/api/security-advisories/` },
        ...(options.listPackages ? { 'available-packages': names } : {}),
      })
    }
    if (url.pathname === '/api/security-advisories/') {
      const body = req.method === 'POST' ? await readText(req) : ''
      const query = new URLSearchParams(req.method === 'POST' ? body : url.search)
      const names = [...query.entries()].filter(([key]) => /^packages\[\d*\]$/.test(key)).map(([, value]) => value)
      return sendJson(res, 200, { advisories: Object.fromEntries(names.map((n) => [n, advisories.get(n) ?? []])) })
    }
    const match = /^\/p2\/([^/]+\/[^/]+?)(~dev)?\.json$/.exec(url.pathname)
    const file = match && files.get(fileKey(match[1]!, Boolean(match[2])))
    if (!match || !file) return sendJson(res, 404, { status: 'error', message: 'Package not found' })
    const lastModified = new Date(file.lastModified).toUTCString()
    if (isNotModified(req.headers, '"none"', lastModified) && req.headers['if-modified-since']) {
      res.writeHead(304, { 'last-modified': lastModified })
      return void res.end()
    }
    sendJson(res, 200, p2(match[1]!, Boolean(match[2])), { 'last-modified': lastModified })
  }

  const server = await startFixtureServer({ handler, ...(options.port === undefined ? {} : { port: options.port }) })
  return Object.assign(server, {
    publish,
    setAdvisories: (name: string, list: readonly Record<string, unknown>[]) => void advisories.set(name, list),
    p2,
  })
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value))
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, ...headers })
  res.end(body)
}
