/** Reads a PEP 503 HTML page (any static index): anchors with hash fragments, PEP 592/658/714 data-* attributes, `<base>`, PEP 629's version. */
import { LarderError } from '@larder/core'
import { isSafeFilename, parseDistFilename } from '../names/dist-filename.js'
import { HtmlIndexScanner, scanHtmlIndex, type HtmlAnchor } from './html-index.js'
import { checkApiVersion } from './parse-json.js'
import { cleanHashes, type PageFile } from './project-page.js'
import type { NameSink } from './root-listing.js'

/** `true`, or the hashes in a `sha256=...` value, or undefined when absent or "false". */
export function parseMetadataAttribute(value: string | undefined, present: boolean): Record<string, string> | true | undefined {
  if (!present) return undefined
  if (value === undefined || value === '' || value.toLowerCase() === 'true') return true
  const eq = value.indexOf('=')
  if (eq < 0) return undefined
  const hashes = cleanHashes({ [value.slice(0, eq)]: value.slice(eq + 1) })
  return Object.keys(hashes).length > 0 ? hashes : true
}

/**
 * PEP 629: a page announcing another major version must not be read as this one. A value that is
 * no version at all is ignored, as before the PEP.
 */
function checkRepositoryVersion(version: string | undefined, label: string): void {
  if (version !== undefined && /^\d+\.\d+$/.test(version)) checkApiVersion({ 'api-version': version }, label)
}

function pageFile(anchor: HtmlAnchor, base: string): PageFile | undefined {
  const attributes = anchor.attributes
  const has = (name: string) => Object.hasOwn(attributes, name)
  const href = attributes.href
  if (!href) return undefined
  let url: URL
  try {
    url = new URL(href, base)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  const fragment = url.hash.slice(1)
  url.hash = ''
  const lastSegment = url.pathname.split('/').pop() ?? ''
  let filename: string
  try {
    filename = decodeURIComponent(lastSegment)
  } catch {
    return undefined
  }
  if (!isSafeFilename(filename)) return undefined
  const eq = fragment.indexOf('=')
  const hashes = eq > 0 ? cleanHashes({ [fragment.slice(0, eq)]: fragment.slice(eq + 1) }) : {}
  const yanked = has('data-yanked') ? attributes['data-yanked'] || true : false
  // PEP 714 renamed the attribute; pages in transition carry both, and the new name is the one meant.
  const metadataName = has('data-core-metadata') ? 'data-core-metadata' : 'data-dist-info-metadata'
  const coreMetadata = parseMetadataAttribute(attributes[metadataName], has(metadataName))
  const requiresPython = attributes['data-requires-python']
  return {
    filename,
    url: url.href,
    hashes,
    yanked,
    ...(requiresPython ? { requiresPython } : {}),
    ...(coreMetadata ? { coreMetadata } : {}),
  }
}

/**
 * The files of an HTML project page fetched from `pageUrl`; links that are not plain file names are skipped.
 * A page with no distribution link must say it is an index (PEP 629's meta, as PyPI's page of a project with no files
 * does): a captive portal, an error page, an empty or still-compressed body would otherwise be stored as a
 * project with nothing to install, in place of the copy held before.
 */
export function parseHtmlPage(html: string, pageUrl: string, label = 'simple page'): PageFile[] {
  const anchors: HtmlAnchor[] = []
  const head = scanHtmlIndex(html, (anchor) => anchors.push(anchor))
  checkRepositoryVersion(head.repositoryVersion, label)
  let base = pageUrl
  try {
    if (head.baseHref) base = new URL(head.baseHref, pageUrl).href
  } catch {
    // An unusable <base> is ignored, as browsers and pip do: links resolve against the page.
  }
  const files = anchors.flatMap((anchor) => pageFile(anchor, base) ?? [])
  // A link to a distribution (a wheel or sdist name) or PEP 629's meta: a login link alone proves nothing.
  if (head.repositoryVersion === undefined && !files.some((file) => parseDistFilename(file.filename) !== undefined)) {
    throw new LarderError(
      'E_UPSTREAM_GARBAGE',
      `${label}: the upstream answered with no simple index page (no links to distributions and no pypi:repository-version)`,
      {
        hint: 'the upstream, or a proxy in between, sent something else (a login or error page?); check LARDER_PYPI_UPSTREAM',
      },
    )
  }
  return files
}

/** Puts the project names an HTML root page lists (the anchors' text) into `sink`, reading the page as it arrives. */
export async function readHtmlRoot(chunks: AsyncIterable<string> | Iterable<string>, sink: NameSink): Promise<void> {
  let names: string[] = []
  const scanner = new HtmlIndexScanner((anchor) => {
    if (anchor.text) names.push(anchor.text)
  })
  const hand = () => {
    if (names.length > 0) sink.add(names)
    names = []
  }
  for await (const chunk of chunks) {
    scanner.write(chunk)
    hand()
  }
  scanner.end()
  hand()
}
