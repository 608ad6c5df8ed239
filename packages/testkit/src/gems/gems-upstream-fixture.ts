/** A fixture RubyGems server: compact index, legacy specs, quick specs and .gem files, like rubygems.org. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startFixtureServer, type FixtureServer } from '../fixture-server/fixture-server.js'
import { infoBody, md5Hex, namesBody, versionsBody, versionsLine } from './compact-index-render.js'
import type { BuiltGem } from './gem-build.js'
import { LEGACY_SPEC_FILES, buildLegacySpecs, type LegacySpecFile } from './legacy-specs.js'

export interface GemsUpstreamFixtureOptions {
  gems?: readonly BuiltGem[]
  port?: number
}

export interface GemsUpstreamFixture extends FixtureServer {
  /** Adds versions at runtime: /info/<name> grows and /versions gets a line appended naming its new MD5, as rubygems.org does. */
  publish(gems: BuiltGem | readonly BuiltGem[]): Promise<void>
  /** The bodies as served now. */
  versions(): string
  info(name: string): string | undefined
}

export async function startGemsUpstreamFixture(options: GemsUpstreamFixtureOptions = {}): Promise<GemsUpstreamFixture> {
  const byName = new Map<string, BuiltGem[]>()
  const byFile = new Map<string, BuiltGem>()
  let legacy: Record<LegacySpecFile, Buffer> | undefined
  let versions = ''

  const publish = async (batch: BuiltGem | readonly BuiltGem[]) => {
    const added = new Map<string, BuiltGem[]>()
    for (const gem of Array.isArray(batch) ? batch : [batch as BuiltGem]) {
      byName.set(gem.name, [...(byName.get(gem.name) ?? []), gem])
      added.set(gem.name, [...(added.get(gem.name) ?? []), gem])
      byFile.set(gem.filename, gem)
    }
    for (const [name, gems] of added) versions += versionsLine(name, gems, byName.get(name)!)
    legacy = await buildLegacySpecs([...byFile.values()])
  }
  for (const gem of options.gems ?? []) byName.set(gem.name, [...(byName.get(gem.name) ?? []), gem])
  for (const gem of options.gems ?? []) byFile.set(gem.filename, gem)
  versions = versionsBody(byName)
  legacy = await buildLegacySpecs([...byFile.values()])

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://fixture.invalid').pathname
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n')
    if (path === '/versions') return sendIndex(req, res, versions)
    if (path === '/names') return sendIndex(req, res, namesBody(byName.keys()))
    if (path.startsWith('/info/')) {
      const gems = byName.get(decodeURIComponent(path.slice('/info/'.length)))
      return gems ? sendIndex(req, res, infoBody(gems)) : send(res, 404, 'text/plain', 'This gem could not be found\n')
    }
    const legacyFile = path.slice(1) as LegacySpecFile
    if (LEGACY_SPEC_FILES.includes(legacyFile) && legacy) return send(res, 200, 'application/octet-stream', legacy[legacyFile])
    const quick = /^\/quick\/Marshal\.4\.8\/(.+)\.gemspec\.rz$/.exec(path)
    if (quick) {
      const gem = byFile.get(`${quick[1]}.gem`)
      return gem ? send(res, 200, 'application/octet-stream', gem.quickSpec) : send(res, 404, 'text/plain', 'not found\n')
    }
    const file = /^\/gems\/([^/]+\.gem)$/.exec(path)
    if (file) {
      const gem = byFile.get(file[1]!)
      return gem ? send(res, 200, 'application/octet-stream', gem.bytes) : send(res, 404, 'text/plain', 'not found\n')
    }
    // rubygems.org retired the dependency API; it answers 404 there now.
    return send(res, 404, 'text/plain', 'not found\n')
  }

  const server = await startFixtureServer({ handler, ...(options.port === undefined ? {} : { port: options.port }) })
  return Object.assign(server, {
    publish,
    versions: () => versions,
    info: (name: string) => {
      const gems = byName.get(name)
      return gems ? infoBody(gems) : undefined
    },
  })
}

/** Compact index answers: strong MD5 ETag, 304, and `Range: bytes=N-` as bundler sends when appending. */
function sendIndex(req: IncomingMessage, res: ServerResponse, text: string): void {
  const body = Buffer.from(text)
  const etag = `"${md5Hex(body)}"`
  const headers = { 'content-type': 'text/plain; charset=utf-8', etag, 'accept-ranges': 'bytes' }
  if (req.headers['if-none-match']?.split(',').some((tag) => tag.trim() === etag)) {
    res.writeHead(304, headers)
    return void res.end()
  }
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
  if (range && Number(range[1]) < body.length) {
    const start = Number(range[1])
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'content-length': body.length - start })
    return void res.end(body.subarray(start))
  }
  res.writeHead(200, { ...headers, 'content-length': body.length })
  res.end(body)
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  res.writeHead(status, { 'content-type': type, 'content-length': bytes.length })
  res.end(bytes)
}
