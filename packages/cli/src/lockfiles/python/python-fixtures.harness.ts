/**
 * For the Python lockfile readers' tests (requirements, pylock.toml, uv.lock, poetry.lock, Pipfile.lock):
 * the digests and sources their fixture lockfiles name, and the project pages those pins resolve against.
 * Expected results stay spelled out in each test, so a reader that breaks still fails there.
 */
import { documentKey, type LockedArtifact, type LockedItem } from '../locked-item.js'
import { hex, type PageFile } from './project-page.harness.js'

export { hex, projectPage, resolveAgainst } from './project-page.harness.js'

/** The locked wheel's sha256. */
export const WHEEL = hex('a')
/** The locked sdist's sha256. */
export const SDIST = hex('b')
/** A third file's sha256: another wheel, an archive URL's. */
export const OTHER = hex('c')
/** The sha256 of a file of a version that is not the locked one: never held. */
export const OTHER_VERSION = hex('9')
/** A sha256 no file has: written into a lockfile to make its hash wrong. */
export const WRONG = hex('0')

/** The git repository (and its commit) and the archive URL the fixtures lock: sources no index lists. */
export const GIT_REPO = 'https://github.com/acme/from-git'
export const GIT_COMMIT = '0123456789abcdef0123456789abcdef01234567'
export const ARCHIVE_URL = 'https://example.com/from_url-1.0.tar.gz'

/** A wheel of `dist` (the distribution name as file names spell it) `version` on a project page. */
export function wheelFile(dist: string, version: string, sha256 = WHEEL, tag = 'py3-none-any'): PageFile {
  return { filename: `${dist}-${version}-${tag}.whl`, sha256 }
}

/** The sdist of `dist` `version` on a project page. */
export function sdistFile(dist: string, version: string, sha256 = SDIST): PageFile {
  return { filename: `${dist}-${version}.tar.gz`, sha256 }
}

/** The release a fixture locks: one wheel (hashed WHEEL, `tag`) and the sdist (hashed SDIST). */
export function release(dist: string, version: string, tag?: string): PageFile[] {
  return [wheelFile(dist, version, WHEEL, tag), sdistFile(dist, version)]
}

/** [name, version, source] of each item, in the lockfile's order. */
export function itemRows(lock: { items: readonly LockedItem[] }): [string, string, string][] {
  return lock.items.map((item) => [item.name, item.version, item.source])
}

/** The artifacts `item` resolves to with `page` as the body of its first index document, unmapped. */
export function resolveArtifacts(item: LockedItem, page: string): LockedArtifact[] {
  return item.resolve!(new Map([[documentKey(item.indexes[0]!), page]]))
}
