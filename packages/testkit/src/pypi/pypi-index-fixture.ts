/**
 * Fixture PyPI upstreams: an HTML-only static index (PEP 503, relative file links) or a PEP 691 JSON
 * index (absolute links to a separate file host, PEP 658 metadata files, PEP 700 fields, serials).
 */
import { startFixtureServer, type FixtureServer } from '../fixture-server/fixture-server.js'
import type { PythonDist } from './python-dist.js'
import { renderFixtureHtml, renderFixtureJson, normalizeProjectName, type FixtureFile } from './pypi-index-pages.js'

export type PypiIndexFormat = 'html' | 'json'

export interface PypiIndexFixtureOptions {
  format: PypiIndexFormat
  dists?: PythonDist[]
}

export interface PypiPublishOptions {
  /** PEP 592: true, or the reason. */
  yanked?: boolean | string
  /** Advertise this sha256 instead of the real one (a hash mismatch). */
  advertisedSha256?: string
  /** Leave the hash fragment out of the link. */
  noHash?: boolean
}

export interface PypiIndexFixture {
  /** The simple-index URL (LARDER_PYPI_UPSTREAM), e.g. http://127.0.0.1:PORT/simple */
  readonly simpleUrl: string
  /** Serves /simple/... */
  readonly index: FixtureServer
  /** Serves the files (the same server as `index` for the HTML format). */
  readonly files: FixtureServer
  publish(dist: PythonDist, options?: PypiPublishOptions): void
  /** X-PyPI-Last-Serial sent with every page (JSON format); bump it to say the index moved on. */
  serial: number
  stop(): Promise<void>
}

export async function startPypiIndexFixture(options: PypiIndexFixtureOptions): Promise<PypiIndexFixture> {
  const { format } = options
  if (format !== 'html' && format !== 'json') throw new TypeError("format must be 'html' or 'json'")
  const projects = new Map<string, { name: string; files: FixtureFile[] }>()
  const byPath = new Map<string, Buffer>()
  let files: FixtureServer | undefined
  const serveFile = (path: string, res: import('node:http').ServerResponse) => {
    const body = byPath.get(decodeURIComponent(path.split('?')[0]!))
    if (!body) return void res.writeHead(404).end('not found\n')
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
    res.end(body)
  }
  const index = await startFixtureServer({
    handler: (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!
      if (path.startsWith('/files/')) return serveFile(path, res)
      if (path === '/simple/') {
        const names = [...projects.values()].map((p) => p.name)
        if (format === 'json') return sendJson(res, fixture.serial, { meta: { 'api-version': '1.0' }, projects: names.map((name) => ({ name })) })
        const links = names.map((name) => `<a href="${normalizeProjectName(name)}/">${name}</a>`).join('\n')
        return sendHtml(res, `<!DOCTYPE html><html><body>\n${links}\n</body></html>\n`)
      }
      const match = /^\/simple\/([^/]+)\/$/.exec(path)
      const project = match ? projects.get(match[1]!) : undefined
      if (!project) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      if (format === 'json') return sendJson(res, fixture.serial, renderFixtureJson(project.name, project.files, files!.url))
      sendHtml(res, renderFixtureHtml(project.name, project.files))
    },
  })
  files = format === 'json' ? await startFixtureServer({ handler: (req, res) => serveFile(req.url ?? '/', res) }) : index
  const fixture: PypiIndexFixture = {
    simpleUrl: `${index.url}/simple`,
    index,
    files,
    serial: 1000,
    publish(dist, publishOptions = {}) {
      const key = normalizeProjectName(dist.name)
      const project = projects.get(key) ?? { name: dist.name, files: [] }
      projects.set(key, project)
      project.files = project.files.filter((f) => f.dist.filename !== dist.filename)
      project.files.push({ dist, ...publishOptions })
      byPath.set(`/files/${dist.filename}`, dist.bytes)
      byPath.set(`/files/${dist.filename}.metadata`, dist.metadata)
      fixture.serial += 1
    },
    stop: async () => {
      await index.stop()
      if (files !== index) await files!.stop()
    },
  }
  for (const dist of options.dists ?? []) fixture.publish(dist)
  return fixture
}

function sendHtml(res: import('node:http').ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end(html)
}

function sendJson(res: import('node:http').ServerResponse, serial: number, doc: unknown): void {
  res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json', 'x-pypi-last-serial': String(serial) })
  res.end(JSON.stringify(doc))
}
