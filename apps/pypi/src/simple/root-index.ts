/**
 * The /simple/ root: private projects, then the upstream's list when it can be had. The upstream list is
 * read from the spooled body as a stream, cached as plain lines (pypi.org lists ~600k names) and rendered
 * as a stream; when the upstream is unreachable and nothing is cached the root lists private projects
 * only rather than failing.
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { errorFields, isLarderError, readAll, type CacheResult, type LarderServices } from '@larder/core'
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
  names: string[]
  result: CacheResult
}

/** `upstream` is LARDER_PYPI_UPSTREAM. */
export async function listProjects(services: LarderServices, privateIndex: PrivateIndex, upstream: string): Promise<RootListing> {
  const names: string[] = []
  const seen = new Set<string>()
  for await (const project of privateIndex.projects()) {
    seen.add(project)
    names.push(project)
  }
  let result: CacheResult = 'PRIVATE'
  try {
    const response = await services.cache.index({
      key: ROOT_KEY,
      url: `${upstream}/`,
      headers: { accept: UPSTREAM_ACCEPT },
      ttlMs: ROOT_TTL_MS,
      label: 'simple index root',
      process: async (body) => {
        // Chunk by chunk, each read a turn of the event loop: parsing ~40 MB at once held it for most of a second.
        const chunks = createReadStream(body.path, { encoding: 'utf8' })
        const lines = new ListingLines()
        await (isJsonResponse(body.headers) ? readJsonRoot(chunks, lines, 'simple index root') : readHtmlRoot(chunks, lines))
        return { body: lines.body(), contentType: 'text/plain' }
      },
    })
    result = response.result
    const stream = await services.cache.openEntry(response.entry)
    const listing = stream ? await readAll(stream) : Buffer.alloc(0)
    for (const name of listing.toString('utf8').split('\n')) {
      const normalized = normalizeProjectName(name)
      if (name && !seen.has(normalized)) {
        seen.add(normalized)
        names.push(name)
      }
    }
  } catch (error) {
    if (!isLarderError(error) || error.status < 404) throw error
    services.logger.warn(errorFields(error), 'the upstream root index is unavailable; listing private projects only')
  }
  return { names, result }
}

/** The root page as a stream of chunks, never one giant string. */
export function renderRoot(names: string[], format: SimpleFormat, base: string): Readable {
  const json = format === JSON_TYPE
  function* chunks(): Generator<Buffer> {
    yield Buffer.from(
      json
        ? '{"meta":{"api-version":"1.0"},"projects":['
        : '<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.0">\n    <title>Simple index</title>\n  </head>\n  <body>\n',
    )
    for (let i = 0; i < names.length; i += CHUNK_NAMES) {
      const slice = names.slice(i, i + CHUNK_NAMES)
      yield Buffer.from(
        json
          ? (i > 0 ? ',' : '') + slice.map((name) => JSON.stringify({ name })).join(',')
          : slice.map((name) => `    <a href="${escapeHtml(`${base}/simple/${normalizeProjectName(name)}/`)}">${escapeHtml(name)}</a>\n`).join(''),
      )
    }
    yield Buffer.from(json ? ']}' : '  </body>\n</html>\n')
  }
  return Readable.from(chunks())
}
