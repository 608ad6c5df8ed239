/** For the readers' tests: project pages as Larder serves them (PEP 691 JSON, absolute links) and resolving an item against one. */
import { expect } from 'vitest'
import { documentKey, type LockedArtifact, type LockedItem } from '../locked-item.js'

export interface PageFile {
  filename: string
  sha256: string
}

export const hex = (char: string) => char.repeat(64)

export function projectPage(project: string, files: PageFile[]): string {
  return JSON.stringify({
    meta: { 'api-version': '1.1' },
    name: project,
    files: files.map(({ filename, sha256 }) => ({
      filename,
      url: `https://mirror.example/larder/pypi/files/${project}/${sha256}/${encodeURIComponent(filename)}`,
      hashes: { sha256 },
    })),
  })
}

/** The artifacts an item resolves to against `page`, as [file name, expected digests]. */
export function resolveAgainst(item: LockedItem, page: string): [string, LockedArtifact['expected']][] {
  expect(item.problem).toBeUndefined()
  const artifacts = item.resolve!(new Map([[documentKey(item.indexes[0]!), page]]))
  return artifacts.map((artifact) => [decodeURIComponent(artifact.path.split('/').pop()!), artifact.expected])
}
