/** A hosted directory as clients read it: JSON for scripts, a plain HTML index for browsers. */
import type { DirectoryDoc, ListedFile } from '../hosted/directory-index.js'

export interface ListingJson {
  /** The directory's path below the mirror, e.g. `/files/builds/app/`. */
  path: string
  /** Subdirectory names (repositories, at the root), sorted. */
  directories: string[]
  files: (ListedFile & { name: string })[]
  /** At the root only: the upstream names served at /files/<name>/ (not listed: fetched on request). */
  upstreams?: string[]
}

export function listingJson(path: string, doc: DirectoryDoc, upstreams?: readonly string[]): ListingJson {
  const files = [...doc.files.keys()].sort().map((name) => ({ name, ...doc.files.get(name)! }))
  const listing: ListingJson = { path, directories: [...doc.dirs].sort(), files }
  if (upstreams) listing.upstreams = [...upstreams].sort()
  return listing
}

/** Wants JSON: a script (curl -H 'Accept: application/json'), not a browser. */
export function wantsJson(accept: string | undefined): boolean {
  return /\bapplication\/json\b/i.test(accept ?? '')
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Every text and attribute goes through this, names and uploaders alike: none of them is trusted markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)
}

/** A link to a sibling: percent-encoded for the URL, then escaped for the attribute. */
const href = (name: string) => escapeHtml(encodeURIComponent(name))

export function renderHtmlIndex(listing: ListingJson, atRoot: boolean): string {
  const rows: string[] = []
  if (!atRoot) rows.push('<tr><td><a href="../">../</a></td><td></td><td></td><td></td><td></td></tr>')
  for (const dir of listing.directories) rows.push(`<tr><td><a href="${href(dir)}/">${escapeHtml(dir)}/</a></td><td></td><td></td><td></td><td></td></tr>`)
  for (const file of listing.files) {
    const cells = [String(file.size), file.sha256, file.uploadedAt, file.uploadedBy].map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')
    rows.push(`<tr><td><a href="${href(file.name)}">${escapeHtml(file.name)}</a></td>${cells}</tr>`)
  }
  for (const name of listing.upstreams ?? []) rows.push(`<tr><td>${escapeHtml(name)}/ (upstream)</td><td></td><td></td><td></td><td></td></tr>`)
  const title = `Index of ${escapeHtml(listing.path)}`
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${title}</title></head><body>`,
    `<h1>${title}</h1>`,
    '<table><thead><tr><th>Name</th><th>Size</th><th>SHA-256</th><th>Uploaded</th><th>By</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></body></html>',
    '',
  ].join('\n')
}
