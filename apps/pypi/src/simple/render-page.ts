/** Writes a stored project page as PEP 691 JSON or PEP 503 HTML, with file URLs on the mirror. */
import { versionOfFile } from '../names/dist-filename.js'
import { JSON_TYPE, type SimpleFormat } from './negotiate.js'
import { hashSegment, type PageFile, type ProjectPage } from './project-page.js'

/** Filename -> what to advertise as its core metadata (only files Larder can serve it for). */
export type MetadataAdverts = Map<string, Record<string, string> | true>

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

/** `${base}/files/<project>/<sha256 or ->/<filename>`, base being the app's external URL (…/pypi). */
export function fileUrl(base: string, project: string, file: PageFile): string {
  return `${base}/files/${project}/${hashSegment(file)}/${encodeURIComponent(file.filename)}`
}

/** PEP 700 applies only when every file has a size. */
export function apiVersion(page: ProjectPage): '1.0' | '1.1' {
  return page.files.every((f) => f.size !== undefined) ? '1.1' : '1.0'
}

function versionsOf(page: ProjectPage): string[] {
  if (page.versions) return page.versions
  const seen = new Set<string>()
  for (const file of page.files) {
    const version = versionOfFile(file.filename, page.name)
    if (version) seen.add(version)
  }
  return [...seen]
}

export function renderPage(page: ProjectPage, format: SimpleFormat, base: string, adverts: MetadataAdverts): string {
  return format === JSON_TYPE ? renderJson(page, base, adverts) : renderHtml(page, base, adverts)
}

function renderJson(page: ProjectPage, base: string, adverts: MetadataAdverts): string {
  const version = apiVersion(page)
  const files = page.files.map((file) => {
    const advert = adverts.get(file.filename)
    return {
      filename: file.filename,
      url: fileUrl(base, page.name, file),
      hashes: file.hashes,
      'requires-python': file.requiresPython ?? null,
      'core-metadata': advert ?? false,
      yanked: file.yanked,
      ...(file.size !== undefined ? { size: file.size } : {}),
      ...(file.uploadTime !== undefined ? { 'upload-time': file.uploadTime } : {}),
    }
  })
  const doc = { meta: { 'api-version': version }, name: page.name, ...(version === '1.1' ? { versions: versionsOf(page) } : {}), files }
  return JSON.stringify(doc)
}

function metadataValue(advert: Record<string, string> | true): string {
  if (advert === true) return 'true'
  const [name, hex] = Object.entries(advert)[0]!
  return `${name}=${hex}`
}

function renderHtml(page: ProjectPage, base: string, adverts: MetadataAdverts): string {
  const links = page.files.map((file) => {
    const [hashName, hashHex] = file.hashes.sha256 ? ['sha256', file.hashes.sha256] : (Object.entries(file.hashes)[0] ?? [])
    let attrs = `href="${escapeHtml(fileUrl(base, page.name, file))}${hashName ? `#${hashName}=${hashHex}` : ''}"`
    if (file.requiresPython) attrs += ` data-requires-python="${escapeHtml(file.requiresPython)}"`
    if (file.yanked !== false) attrs += file.yanked === true ? ' data-yanked=""' : ` data-yanked="${escapeHtml(file.yanked)}"`
    const advert = adverts.get(file.filename)
    if (advert) {
      const value = escapeHtml(metadataValue(advert))
      attrs += ` data-core-metadata="${value}" data-dist-info-metadata="${value}"`
    }
    return `    <a ${attrs}>${escapeHtml(file.filename)}</a><br />`
  })
  const name = escapeHtml(page.name)
  return [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    `    <meta name="pypi:repository-version" content="${apiVersion(page)}">`,
    `    <title>Links for ${name}</title>`,
    '  </head>',
    '  <body>',
    `    <h1>Links for ${name}</h1>`,
    ...links,
    '  </body>',
    '</html>',
    '',
  ].join('\n')
}
