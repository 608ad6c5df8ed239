/** The documents the fixture upstreams serve: PEP 503 HTML with relative links, PEP 691 JSON with absolute ones. */
import { createHash } from 'node:crypto'
import type { PythonDist } from './python-dist.js'

export interface FixtureFile {
  dist: PythonDist
  yanked?: boolean | string
  advertisedSha256?: string
  noHash?: boolean
}

const UPLOAD_TIME = '2024-01-02T03:04:05.000000Z'

export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** HTML-only static index: links relative to the page (../../files/x), no metadata files. */
export function renderFixtureHtml(name: string, files: FixtureFile[]): string {
  const links = files.map((file) => {
    const hash = file.noHash ? '' : `#sha256=${file.advertisedSha256 ?? file.dist.sha256}`
    let attrs = `href="../../files/${encodeURIComponent(file.dist.filename)}${hash}"`
    if (file.dist.requiresPython) attrs += ` data-requires-python="${escapeHtml(file.dist.requiresPython)}"`
    if (file.yanked !== undefined && file.yanked !== false) {
      attrs += file.yanked === true ? ' data-yanked' : ` data-yanked="${escapeHtml(file.yanked)}"`
    }
    return `    <a ${attrs}>${escapeHtml(file.dist.filename)}</a><br/>`
  })
  return `<!DOCTYPE html>\n<html>\n  <head><title>Links for ${escapeHtml(name)}</title></head>\n  <body>\n    <h1>Links for ${escapeHtml(name)}</h1>\n${links.join('\n')}\n  </body>\n</html>\n`
}

/** PEP 691 JSON 1.1 with absolute file URLs on `filesBase`, metadata hashes, sizes and upload times. */
export function renderFixtureJson(name: string, files: FixtureFile[], filesBase: string): unknown {
  return {
    meta: { 'api-version': '1.1', '_last-serial': 1 },
    name: normalizeProjectName(name),
    versions: [...new Set(files.map((f) => f.dist.version))],
    files: files.map((file) => ({
      filename: file.dist.filename,
      url: `${filesBase}/files/${encodeURIComponent(file.dist.filename)}`,
      hashes: file.noHash ? {} : { sha256: file.advertisedSha256 ?? file.dist.sha256 },
      'requires-python': file.dist.requiresPython ?? null,
      'core-metadata': { sha256: sha256(file.dist.metadata) },
      'dist-info-metadata': { sha256: sha256(file.dist.metadata) },
      yanked: file.yanked ?? false,
      size: file.dist.bytes.length,
      'upload-time': UPLOAD_TIME,
    })),
  }
}
