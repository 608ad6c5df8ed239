/** Reads a PEP 503 HTML page (any static index): anchors, hash fragments, data-* attributes, relative links. */
import { isSafeFilename } from '../names/dist-filename.js'
import { cleanHashes, type PageFile } from './project-page.js'

const ANCHOR = /<a\s([^>]*)>([\s\S]*?)<\/a\s*>/gi
const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g
const BASE = /<base\s[^>]*href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return NAMED[ref.toLowerCase()] ?? whole
  })
}

export function parseAttributes(text: string): Map<string, string | undefined> {
  const attributes = new Map<string, string | undefined>()
  for (const match of text.matchAll(ATTRIBUTE)) {
    const value = match[2] ?? match[3] ?? match[4]
    attributes.set(match[1]!.toLowerCase(), value === undefined ? undefined : decodeHtmlEntities(value))
  }
  return attributes
}

/** `true`, or the hashes in a `sha256=...` value, or undefined when absent or "false". */
export function parseMetadataAttribute(value: string | undefined, present: boolean): Record<string, string> | true | undefined {
  if (!present) return undefined
  if (value === undefined || value === '' || value.toLowerCase() === 'true') return true
  const eq = value.indexOf('=')
  if (eq < 0) return undefined
  const hashes = cleanHashes({ [value.slice(0, eq)]: value.slice(eq + 1) })
  return Object.keys(hashes).length > 0 ? hashes : true
}

/** The files of an HTML project page fetched from `pageUrl`; links that are not plain file names are skipped. */
export function parseHtmlPage(html: string, pageUrl: string): PageFile[] {
  const baseMatch = BASE.exec(html)
  const baseHref = baseMatch ? decodeHtmlEntities(baseMatch[1] ?? baseMatch[2] ?? baseMatch[3] ?? '') : undefined
  const base = baseHref ? new URL(baseHref, pageUrl).href : pageUrl
  const files: PageFile[] = []
  for (const anchor of html.matchAll(ANCHOR)) {
    const attributes = parseAttributes(anchor[1]!)
    const href = attributes.get('href')
    if (!href) continue
    let url: URL
    try {
      url = new URL(href, base)
    } catch {
      continue
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue
    const fragment = url.hash.slice(1)
    url.hash = ''
    const lastSegment = url.pathname.split('/').pop() ?? ''
    let filename: string
    try {
      filename = decodeURIComponent(lastSegment)
    } catch {
      continue
    }
    if (!isSafeFilename(filename)) continue
    const eq = fragment.indexOf('=')
    const hashes = eq > 0 ? cleanHashes({ [fragment.slice(0, eq)]: fragment.slice(eq + 1) }) : {}
    const yanked = attributes.has('data-yanked') ? attributes.get('data-yanked') || true : false
    const metadataName = attributes.has('data-core-metadata') ? 'data-core-metadata' : 'data-dist-info-metadata'
    const coreMetadata = parseMetadataAttribute(attributes.get(metadataName), attributes.has(metadataName))
    const requiresPython = attributes.get('data-requires-python')
    files.push({
      filename,
      url: url.href,
      hashes,
      yanked,
      ...(requiresPython ? { requiresPython } : {}),
      ...(coreMetadata ? { coreMetadata } : {}),
    })
  }
  return files
}

/** Project names listed by an HTML root page (the anchors' text). */
export function parseHtmlRoot(html: string): string[] {
  return [...html.matchAll(ANCHOR)].map((m) => decodeHtmlEntities(m[2]!.replace(/<[^>]*>/g, '')).trim()).filter(Boolean)
}
