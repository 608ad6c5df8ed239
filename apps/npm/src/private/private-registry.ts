/** Packages published to Larder: stored apart from the mirror, and never looked up upstream once they exist. */
import { createHash } from 'node:crypto'
import {
  HostedPackages,
  LarderError,
  eventFile,
  type CacheEntry,
  type CacheStore,
  type EventFile,
  type HostedChangeOptions,
  type Principal,
} from '@larder/core'
import type { PackageName } from '../names/package-name.js'
import { UPSTREAM_KEY_PREFIX, storedPackumentEntry } from '../packument/packument-source.js'
import { rewritePackument } from '../packument/stored-packument.js'
import { applyVersionUpdate } from './metadata-write.js'
import { assertTarballMatches, checkedTags, privateManifest, publishersOf, type PublishedVersion } from './publish-document.js'
import { readTarballFacts } from './tarball-facts.js'

export const PRIVATE_PACKUMENT_PREFIX = 'npm-private:packument:'
export const PRIVATE_TARBALL_PREFIX = 'npm-private:tarball:'
// A URL only for the rewriter to take the file name from; private tarballs are always served from the store.
const PLACEHOLDER_ORIGIN = 'https://private.larder.invalid'

type Doc = Record<string, any>

const tarballKey = (name: PackageName, filename: string) => `${PRIVATE_TARBALL_PREFIX}${name.full}/${filename}`

export class PrivateRegistry {
  private readonly hosted: HostedPackages

  constructor(
    store: CacheStore,
    /** Full names private even before anything is published under them (reserved scopes, listed names). */
    isReserved: (name: string) => boolean = () => false,
    options: HostedChangeOptions = {},
  ) {
    this.hosted = new HostedPackages({ store, documentPrefix: PRIVATE_PACKUMENT_PREFIX, isReserved, ecosystem: 'npm', ...options })
  }

  /** The stored packument while the package has one (not after a full unpublish). */
  entry(name: PackageName): Promise<CacheEntry | undefined> {
    return this.hosted.documentEntry(name.full)
  }

  /** Reserved names, and names ever published here (a full unpublish leaves a tombstone): never looked up upstream. */
  owns(name: PackageName): Promise<boolean> {
    return this.hosted.owns(name.full)
  }

  /** The store key whose entry (or its absence) decides whether the name is published here. */
  documentKey(name: PackageName): string {
    return PRIVATE_PACKUMENT_PREFIX + name.full
  }

  tarballEntry(name: PackageName, filename: string): Promise<CacheEntry | undefined> {
    return this.hosted.entry(tarballKey(name, filename))
  }

  /** The private document as published (tarball URLs are placeholders). */
  async source(name: PackageName): Promise<Doc | undefined> {
    return (await this.hosted.document<Doc>(name.full, 'source'))?.doc
  }

  publish(name: PackageName, published: PublishedVersion, principal: Principal): Promise<string> {
    return this.hosted.change(name.full, async () => {
      const facts = await readTarballFacts(published.tarball)
      assertTarballMatches(name, published, facts)
      const current = (await this.source(name)) ?? (await this.freshDocument(name))
      if (current.versions[published.version] || current.time[published.version]) {
        throw new LarderError('E_CONFLICT', `${name.full}@${published.version} is already published`, {
          hint: 'bump the version: a published version can never be replaced',
        })
      }
      const manifest = privateManifest(name, published, facts, principal.name, PLACEHOLDER_ORIGIN)
      const time = new Date(this.hosted.now()).toISOString()
      current.versions[published.version] = manifest
      const tags = { ...current['dist-tags'], ...published.distTags }
      if (!tags.latest) tags.latest = published.version
      current['dist-tags'] = checkedTags(current, tags)
      current.time = { ...current.time, created: current.time.created ?? time, modified: time, [published.version]: time }
      if (published.readme !== undefined) current.readme = published.readme
      // Everything that can refuse the publish has run: only now is anything stored.
      const tarball = await this.hosted.store.putBlob(published.tarball)
      const file: CacheEntry = {
        key: tarballKey(name, published.filename),
        status: 'ok',
        fetchedAt: this.hosted.now(),
        blob: tarball.sha256,
        size: tarball.size,
        contentType: 'application/octet-stream',
        meta: { publishedBy: principal.name },
      }
      const rev = await this.save(name, current, [file])
      await this.hosted.announce({
        type: 'publish',
        name: name.full,
        version: published.version,
        files: [eventFile(published.filename, tarball)],
        by: principal.name,
      })
      return rev
    })
  }

  /**
   * Applies a document sent back without tarballs: `npm deprecate` (PUT /name) and `npm unpublish
   * name@v` (PUT /name/-rev/rev). `verb` says what was refused when the name is not published here.
   */
  update(name: PackageName, rev: unknown, next: Doc, verb: string, principal: Principal): Promise<string> {
    return this.hosted.change(name.full, async () => {
      const current = await this.requireRevision(name, rev, verb)
      const before = new Map(
        Object.entries(current.versions as Record<string, Doc>).map(([v, m]) => [v, { deprecated: m.deprecated, tarball: m.dist?.tarball }]),
      )
      const removed = applyVersionUpdate(name.full, current, next)
      current['dist-tags'] = checkedTags(current, next['dist-tags'] ?? current['dist-tags'])
      current.time.modified = new Date(this.hosted.now()).toISOString()
      const removedFiles = await this.eventFiles(name, removed)
      const saved = await this.save(name, current)
      // Only once the document is saved, so a failed save loses no tarball; npm's own DELETE of each comes next and finds it gone.
      for (const file of removed) await this.hosted.store.deleteEntry(tarballKey(name, file))
      for (const [version, was] of before) {
        const after = current.versions[version] as Doc | undefined
        const files = removedFiles.filter((file) => String(was.tarball).endsWith(`/-/${file.name}`))
        if (!after) await this.hosted.announce({ type: 'unpublish', name: name.full, version, files, by: principal.name })
        else if (after.deprecated !== was.deprecated) await this.hosted.announce({ type: 'deprecate', name: name.full, version, by: principal.name })
      }
      return saved
    })
  }

  setDistTag(name: PackageName, tag: string, version: string | undefined, principal: Principal): Promise<string> {
    return this.hosted.change(name.full, async () => {
      const current = await this.requireOwn(name, 'tagged')
      const tags = { ...current['dist-tags'] }
      if (version === undefined) delete tags[tag]
      else tags[tag] = version
      current['dist-tags'] = checkedTags(current, tags)
      current.time.modified = new Date(this.hosted.now()).toISOString()
      const saved = await this.save(name, current)
      await this.hosted.announce({ type: 'dist-tag', name: name.full, version: version ?? null, tag, by: principal.name })
      return saved
    })
  }

  /**
   * Removes a whole package (`npm unpublish name --force`). A tombstone stays: the name must not
   * fall back to an upstream package of the same name, and its old versions cannot be reused.
   */
  remove(name: PackageName, rev: string, principal: Principal): Promise<void> {
    return this.hosted.change(name.full, async () => {
      const current = await this.requireRevision(name, rev, 'unpublished')
      const tarballs = (Object.values(current.versions) as Doc[])
        .map((manifest) => String(manifest.dist?.tarball ?? '').split('/-/')[1])
        .filter(Boolean) as string[]
      const files = await this.eventFiles(name, tarballs)
      const now = this.hosted.now()
      // The tombstone first: if the fence refuses it, nothing of the package was taken away.
      await this.hosted.commitEntry(name.full, [], {
        status: 'missing',
        fetchedAt: now,
        meta: { unpublished: true, time: { ...current.time, unpublished: new Date(now).toISOString() } },
      })
      // The package is gone once its tombstone is written: a tarball entry that cannot be removed now must not
      // keep the unpublish from being announced (a retry would find nothing to unpublish).
      for (const file of tarballs) await this.hosted.store.deleteEntry(tarballKey(name, file)).catch(() => {})
      await this.hosted.announce({ type: 'unpublish', name: name.full, version: null, files, by: principal.name })
    })
  }

  /** The event records of tarballs still held, read before they are removed. */
  private async eventFiles(name: PackageName, filenames: readonly string[]): Promise<EventFile[]> {
    const files: EventFile[] = []
    for (const filename of filenames) {
      const entry = await this.hosted.store.getEntry(tarballKey(name, filename))
      if (entry?.blob) files.push(eventFile(filename, entry))
    }
    return files
  }

  /** Removes a tarball whose version is no longer in the document. */
  removeTarball(name: PackageName, filename: string): Promise<void> {
    return this.hosted.change(name.full, async () => {
      const current = await this.requireOwn(name, 'unpublished')
      const stillListed = Object.values(current.versions).some((m: any) => String(m.dist?.tarball).endsWith(`/-/${filename}`))
      if (stillListed) throw new LarderError('E_CONFLICT', `${filename} belongs to a published version; unpublish the version first`)
      await this.hosted.store.deleteEntry(tarballKey(name, filename))
    })
  }

  /** The document a first publish starts from; after a full unpublish it remembers the old versions' times. */
  private async freshDocument(name: PackageName): Promise<Doc> {
    const tombstone = await this.hosted.anyDocumentEntry(name.full)
    const time = { ...((tombstone?.meta?.time as Record<string, string> | undefined) ?? {}) }
    delete time.unpublished
    return { _id: name.full, name: name.full, 'dist-tags': {}, versions: {}, time }
  }

  private async requireRevision(name: PackageName, rev: unknown, verb: string): Promise<Doc> {
    const current = await this.requireOwn(name, verb)
    if (typeof rev !== 'string') throw new LarderError('E_BAD_REQUEST', `a change to ${name.full} must name the revision (_rev) it is based on`)
    if (current._rev !== rev) throw new LarderError('E_CONFLICT', `${name.full} changed since revision ${rev}; fetch it again`)
    return current
  }

  /** The private document, or an error that says why there is none: mirrored names get 405 and the reason. */
  private async requireOwn(name: PackageName, verb: string): Promise<Doc> {
    const current = await this.source(name)
    if (current) return current
    const mirrored = !(await this.owns(name)) && (await this.hosted.store.getEntry(UPSTREAM_KEY_PREFIX + name.full))?.status === 'ok'
    if (mirrored) {
      throw new LarderError('E_METHOD_NOT_ALLOWED', `${name.full} is mirrored from upstream; only packages published to this Larder can be ${verb}`)
    }
    throw new LarderError('E_NOT_FOUND', `${name.full} is not a package published to Larder`, { hint: 'npm publish it first' })
  }

  /** Gives the document its next revision and commits it with `files` (served as served packuments are, plus the source as published). */
  private async save(name: PackageName, doc: Doc, files: CacheEntry[] = []): Promise<string> {
    const revision = Number(String(doc._rev ?? '0').split('-')[0]) + 1
    doc.maintainers = publishersOf(doc)
    doc._rev = `${revision}-${createHash('sha256').update(JSON.stringify(doc.versions)).digest('hex').slice(0, 16)}`
    const stored = storedPackumentEntry(rewritePackument(doc, { name: name.full }))
    const { store } = this.hosted
    const parts = {
      abbreviated: await store.putBlob(stored.parts.abbreviated),
      tarballs: await store.putBlob(stored.parts.tarballs),
      source: await store.putBlob(Buffer.from(JSON.stringify(doc))),
    }
    const fields = { fetchedAt: this.hosted.now(), contentType: stored.contentType, parts, meta: { ...stored.meta, rev: doc._rev } }
    await this.hosted.commit(name.full, files, fields, stored.body)
    return doc._rev
  }
}
