/**
 * The /simple/ root: private projects, then the upstream's list when it can be had. The upstream list is
 * read from the spooled body as a stream, cached as plain lines (pypi.org lists ~600k names) and rendered
 * as a stream; when the upstream is unreachable and nothing is cached the root lists private projects
 * only rather than failing.
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { errorFields, isLarderError, type CacheResult, type LarderServices } from '@larder/core'
import { normalizeProjectName } from '../names/project-name.js'
import type { PrivateIndex } from '../private/private-index.js'
import { JSON_TYPE, type SimpleFormat } from './negotiate.js'
import { readJsonRoot } from './json-root.js'
import { readHtmlRoot } from './parse-html.js'
import { ListingLines } from './root-listing.js'
import { escapeHtml } from './render-page.js'
import { UPSTREAM_ACCEPT, isJsonResponse } from './upstream-page.js'

export const ROOT_KEY = 'pypi:root'
/** The root changes constantly and nobody installs from it: an hour is fresh enough. */
export const ROOT_TTL_MS = 60 * 60_000
const CHUNK_NAMES = 2000

export interface RootListing {
  /** Private projects, listed first. */
  names: string[]
  /** The upstream's names as stored (one per line, deduplicated when stored), read only while the page is sent. */
  upstream: Readable | undefined
  result: CacheResult
}

/** `upstream` is LARDER_PYPI_UPSTREAM. */
export async function listProjects(services: LarderServices, privateIndex: PrivateIndex, upstream: string): Promise<RootListing> {
  const names: string[] = []
  for await (const project of privateIndex.projects()) names.push(project)
  try {
    const response = await services.cache.index({
      key: ROOT_KEY,
      url: `${upstream}/`,
      headers: { accept: UPSTREAM_ACCEPT },
      ttlMs: ROOT_TTL_MS,
      label: 'simple index root',
      process: async (body) => {
        // Chunk by chunk, each read a turn of the event loop: parsing ~40 MB at once held it for most of a second.
        const chunks = body.path ? createReadStream(body.path, { encoding: 'utf8' }) : Readable.from([(await body.readBytes()).toString('utf8')])
        const lines = new ListingLines()
        await (isJsonResponse(body.headers) ? readJsonRoot(chunks, lines, 'simple index root') : readHtmlRoot(chunks, lines))
        return { body: lines.body(), contentType: 'text/plain' }
      },
    })
    return { names, upstream: await services.cache.openEntry(response.entry), result: response.result }
  } catch (error) {
    if (!isLarderError(error) || error.status < 404) throw error
    services.logger.warn(errorFields(error), 'the upstream root index is unavailable; listing private projects only')
    return { names, upstream: undefined, result: 'PRIVATE' }
  }
}

/** The upstream's names in batches as the stored listing is read, without those a private project shadows. */
async function* upstreamNames(listing: Readable | undefined, shadowed: ReadonlySet<string>): AsyncGenerator<string[]> {
  if (!listing) return
  let rest = ''
  for await (const chunk of listing.setEncoding('utf8') as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n')
    rest = lines.pop() ?? ''
    yield shadowed.size === 0 ? lines.filter(Boolean) : lines.filter((name) => name && !shadowed.has(normalizeProjectName(name)))
  }
  if (rest && !shadowed.has(normalizeProjectName(rest))) yield [rest]
}

/**
 * The root page as a stream of chunks, one per batch of names: a 600k-name listing is neither held nor
 * normalised in one turn of the event loop (it took ~1.5 s per request).
 */
export function renderRoot(listing: RootListing, format: SimpleFormat, base: string): Readable {
  const json = format === JSON_TYPE
  const shadowed = new Set(listing.names.map(normalizeProjectName))
  let first = true
  /** Called with at least one name. */
  const render = (names: string[]): Buffer => {
    if (!json)
      return Buffer.from(names.map((name) => `    <a href="${escapeHtml(`${base}/simple/${normalizeProjectName(name)}/`)}">${escapeHtml(name)}</a>\n`).join(''))
    const text = (first ? '' : ',') + names.map((name) => JSON.stringify({ name })).join(',')
    first = false
    return Buffer.from(text)
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    yield Buffer.from(
      json
        ? '{"meta":{"api-version":"1.0"},"projects":['
        : '<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.0">\n    <title>Simple index</title>\n  </head>\n  <body>\n',
    )
    for (let i = 0; i < listing.names.length; i += CHUNK_NAMES) yield render(listing.names.slice(i, i + CHUNK_NAMES))
    for await (const names of upstreamNames(listing.upstream, shadowed)) if (names.length > 0) yield render(names)
    yield Buffer.from(json ? ']}' : '  </body>\n</html>\n')
  }
  return Readable.from(chunks())
}
