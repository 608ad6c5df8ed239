/** Turns an upstream project page (HTML or JSON, told apart by Content-Type) into the stored form. */
import { KEEP_PREVIOUS, LarderError, type CacheEntry, type ProcessedIndex, type UpstreamIndexBody } from '@larder/core'
import { normalizeProjectName } from '../names/project-name.js'
import { parseHtmlPage } from './parse-html.js'
import { parseJsonPage } from './parse-json.js'
import { parseSerial, type ProjectPage } from './project-page.js'

/** What Larder asks upstream for: JSON when it can, any HTML otherwise (static indexes ignore Accept). */
export const UPSTREAM_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01'
export const STORED_PAGE_TYPE = 'application/json'

export function isJsonResponse(headers: Record<string, string>): boolean {
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  return type === 'application/vnd.pypi.simple.v1+json' || type === 'application/json' || type.endsWith('+json')
}

export function readUpstreamPage(name: string, text: string, headers: Record<string, string>, pageUrl: string): ProjectPage {
  const label = `simple page of ${name}`
  const json = isJsonResponse(headers) ? (JSON.parse(text) as unknown) : undefined
  const named = typeof json === 'object' && json !== null ? (json as { name?: unknown }).name : undefined
  // PEP 691's name is the project's normalized name: a page for another project is not this one's.
  if (typeof named === 'string' && normalizeProjectName(named) !== normalizeProjectName(name)) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `${label}: the upstream answered with the page of ${named}`)
  }
  const parsed = json !== undefined ? parseJsonPage(json, pageUrl, label) : { files: parseHtmlPage(text, pageUrl, label) }
  const headerSerial = parseSerial(headers['x-pypi-last-serial'])
  const lastSerial = headerSerial ?? parsed.lastSerial
  return { name, ...parsed, ...(lastSerial !== undefined ? { lastSerial } : {}) }
}

/**
 * The `process` step of the index cache: an upstream page whose serial is older than the cached one
 * (a CDN node lagging behind) keeps the cached page.
 */
export async function processUpstreamPage(
  name: string,
  pageUrl: string,
  body: UpstreamIndexBody,
  previous: CacheEntry | undefined,
): Promise<ProcessedIndex | typeof KEEP_PREVIOUS> {
  const page = readUpstreamPage(name, (await body.readBytes()).toString('utf8'), body.headers, pageUrl)
  const previousSerial = previous?.status === 'ok' ? parseSerial(previous.meta?.lastSerial) : undefined
  if (page.lastSerial !== undefined && previousSerial !== undefined && page.lastSerial < previousSerial) return KEEP_PREVIOUS
  return {
    body: Buffer.from(JSON.stringify(page)),
    contentType: STORED_PAGE_TYPE,
    meta: { ...(page.lastSerial !== undefined ? { lastSerial: page.lastSerial } : {}), files: page.files.length },
  }
}
