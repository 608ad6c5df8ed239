/** Packages uploaded to Larder: their versions and zips, stored apart from the mirror; a name here is never looked up upstream. */
import {
  HostedPackages,
  LarderError,
  eventFile,
  type CacheEntry,
  type CacheStore,
  type HostedChangeOptions,
  type Principal,
  type SpooledFile,
} from '@larder/core'
import type { ComposerVersion } from '../metadata/minified.js'
import { publishedFields } from './published-fields.js'
import { compareNewestFirst } from './version.js'

// The store keys of existing data dirs: the package document is the hosted document, its zips sit beside it.
export const PRIVATE_PACKAGE_PREFIX = 'composer-private:package:'
export const PRIVATE_DIST_PREFIX = 'composer-private:dist:'
export const ZIP_CONTENT_TYPE = 'application/zip'

export interface PrivatePackage {
  name: string
  /** Newest first; `dist.url` is left out (it depends on where clients reach Larder). */
  versions: ComposerVersion[]
}

export interface UploadedRelease {
  name: string
  version: string
  versionNormalized: string
  composerJson: Record<string, unknown>
  /** Spooled and hashed with sha1 (the dist reference); the store takes it once every check has passed. */
  zip: SpooledFile
}

export class PrivateRepo {
  private readonly hosted: HostedPackages

  constructor(
    store: CacheStore,
    /** Names private before anything is uploaded (LARDER_COMPOSER_PRIVATE_NAMES). */
    isReserved: (name: string) => boolean = () => false,
    options: HostedChangeOptions = {},
  ) {
    this.hosted = new HostedPackages({ store, documentPrefix: PRIVATE_PACKAGE_PREFIX, isReserved, ecosystem: 'composer', ...options })
  }

  /** True for listed names and once anything was uploaded: such names are never looked up upstream. */
  owns(name: string): Promise<boolean> {
    return this.hosted.owns(name)
  }

  async package(name: string): Promise<{ pkg: PrivatePackage; entry: CacheEntry } | undefined> {
    const found = await this.hosted.document<PrivatePackage>(name)
    return found && { pkg: found.doc, entry: found.entry }
  }

  distEntry(name: string, reference: string): Promise<CacheEntry | undefined> {
    return this.hosted.entry(`${PRIVATE_DIST_PREFIX}${name}:${reference}`)
  }

  names(): AsyncIterable<string> {
    return this.hosted.names()
  }

  /** Adds a release; a version already uploaded is refused (dists are immutable). One upload at a time per name, so two uploads of one version cannot both pass the check. */
  add(release: UploadedRelease, principal: Principal): Promise<ComposerVersion> {
    return this.hosted.change(release.name, async () => {
      const existing = await this.package(release.name)
      const pkg: PrivatePackage = existing ? { ...existing.pkg, versions: [...existing.pkg.versions] } : { name: release.name, versions: [] }
      if (pkg.versions.some((v) => v.version_normalized === release.versionNormalized)) {
        throw new LarderError('E_CONFLICT', `${release.name} ${release.version} is already uploaded`, {
          hint: 'upload a new version: released dists are immutable',
        })
      }
      const sha1 = release.zip.digests.sha1
      if (!sha1) throw new LarderError('E_INTERNAL', 'the upload was spooled without its sha1')
      const fetchedAt = this.hosted.now()
      const version: ComposerVersion = {
        ...publishedFields(release.composerJson),
        name: release.name,
        version: release.version,
        version_normalized: release.versionNormalized,
        time: new Date(fetchedAt).toISOString(),
        dist: { type: 'zip', reference: sha1, shasum: sha1 },
      }
      pkg.versions.push(version)
      pkg.versions.sort((a, b) => compareNewestFirst(String(a.version_normalized), String(b.version_normalized)))
      // Everything that can refuse the upload (serializing the document too) runs before anything is visible.
      const document = Buffer.from(JSON.stringify(pkg))
      const blob = { sha256: release.zip.sha256, size: release.zip.size }
      await this.hosted.store.ingestBlob(release.zip.path, blob)
      const dist: CacheEntry = {
        key: `${PRIVATE_DIST_PREFIX}${release.name}:${sha1}`,
        status: 'ok',
        fetchedAt,
        blob: blob.sha256,
        size: blob.size,
        contentType: ZIP_CONTENT_TYPE,
        meta: { publishedBy: principal.name, version: release.version },
      }
      // Whole seconds, later than before: clients compare Last-Modified by the second.
      const changedAt = Math.max(Math.floor(fetchedAt / 1000) * 1000, (existing?.entry.fetchedAt ?? 0) + 1000)
      await this.hosted.commit(release.name, [dist], { fetchedAt: changedAt, contentType: 'application/json' }, document)
      await this.hosted.announce({
        type: 'publish',
        name: release.name,
        version: release.version,
        // The dist's name in the served URL: its reference (the zip's sha1).
        files: [eventFile(`${sha1}.zip`, blob)],
        by: principal.name,
      })
      return version
    })
  }
}
