/**
 * Which files of a pinned release a client may fetch, read from the PEP 691 project page Larder
 * serves: with hashes, the files whose listed digest is one of them; without, every file of the version.
 */
import type { Digests } from '../digests.js'
import { documentKey, type DocumentBodies, type IndexDocument, type LockedArtifact } from '../locked-item.js'
import { versionOfFile } from './dist-filename.js'
import { sameVersion } from './pep440.js'

interface PageFile {
  filename: string
  url: string
  hashes?: Record<string, string>
}

export function filesOfRelease(documents: DocumentBodies, page: IndexDocument, name: string, version: string, hashes: [string, string][]): LockedArtifact[] {
  const body = documents.get(documentKey(page))
  if (body === undefined) throw new Error(`no project page for ${name}`)
  let files: PageFile[]
  try {
    files = (JSON.parse(body) as { files: PageFile[] }).files
  } catch (cause) {
    throw new Error(`the project page ${page.path} is not PEP 691 JSON: ${(cause as Error).message}`)
  }
  const release = files.filter((file) => {
    const fileVersion = versionOfFile(file.filename, name)
    return fileVersion !== undefined && sameVersion(version, fileVersion)
  })
  if (release.length === 0) throw new Error(`the index lists no file of ${name} ${version}`)
  const toArtifact = (file: PageFile, expected: Digests, anyOf?: Digests[]): LockedArtifact => ({
    path: larderPath(file.url, page.path),
    expected,
    ...(anyOf ? { anyOf } : {}),
  })
  if (hashes.length === 0) return release.map((file) => toArtifact(file, {}))

  const chosen: LockedArtifact[] = []
  const unmatched = new Set(hashes.map(([algorithm, hex]) => `${algorithm}:${hex}`))
  const unlisted: PageFile[] = []
  for (const file of release) {
    const listed = hashes.filter(([algorithm]) => file.hashes?.[algorithm] !== undefined)
    if (listed.length === 0) unlisted.push(file)
    const match = listed.find(([algorithm, hex]) => file.hashes?.[algorithm]?.toLowerCase() === hex)
    if (!match) continue
    unmatched.delete(`${match[0]}:${match[1]}`)
    chosen.push(toArtifact(file, { [match[0]]: match[1] }))
  }
  // A file whose page lists none of the lockfile's algorithms (sha384 pins): fetched and judged by its bytes.
  for (const file of unlisted)
    chosen.push(
      toArtifact(
        file,
        {},
        hashes.map(([algorithm, hex]) => ({ [algorithm]: hex })),
      ),
    )
  if (unlisted.length === 0 && unmatched.size > 0) {
    throw new Error(`no file of ${name} ${version} on the index has ${[...unmatched].join(', ')} (the lockfile's hash does not match the upstream's files)`)
  }
  return chosen
}

/**
 * The file's path on Larder. Links are absolute URLs on the external URL Larder was reached by (a
 * reverse proxy's prefix included), so the part from the mirror's own path on is kept.
 */
function larderPath(url: string, pagePath: string): string {
  const parsed = new URL(url, `http://larder.invalid${pagePath}`)
  const at = parsed.pathname.indexOf('/pypi/files/')
  return at < 0 ? parsed.pathname : parsed.pathname.slice(at)
}
