/** Packages published to Larder: stored apart from the mirror, and never looked up upstream once they exist. */
import { createHash } from 'node:crypto'
import { KeyedMutex, LarderError, commitPublish, readAll, type CacheEntry, type CacheStore, type Principal } from '@larder/core'
import type { PackageName } from '../names/package-name.js'
import { UPSTREAM_KEY_PREFIX, storedPackumentEntry } from '../packument/packument-source.js'
import { rewritePackument } from '../packument/stored-packument.js'
import { applyVersionUpdate } from './metadata-write.js'
import { checkedTags, privateManifest, publishersOf, type PublishedVersion } from './publish-document.js'
import { readTarballFacts } from './tarball-facts.js'

export const PRIVATE_PACKUMENT_PREFIX = 'npm-private:packument:'
export const PRIVATE_TARBALL_PREFIX = 'npm-private:tarball:'
// A URL only for the rewriter to take the file name from; private tarballs are always served from the store.
const PLACEHOLDER_ORIGIN = 'https://private.larder.invalid'

type Doc = Record<string, any>

export class PrivateRegistry {
  // One change at a time per package, so two publishes cannot both take the same version.
  private readonly locks = new KeyedMutex()

  constructor(
    private readonly store: CacheStore,
    /** Names private even before anything is published under them (reserved scopes, listed names). */
    private readonly isReserved: (name: PackageName) => boolean = () => false,
    private readonly now: () => number = Date.now,
  ) {}

  async entry(name: PackageName): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(PRIVATE_PACKUMENT_PREFIX + name.full)
    return entry?.status === 'ok' ? entry : undefined
  }

  /**
   * True for names reserved by configuration, and once a name was ever published here (even if since
   * unpublished): such names are never looked up upstream.
   */
  async owns(name: PackageName): Promise<boolean> {
    if (this.isReserved(name)) return true
    return (await this.store.getEntry(PRIVATE_PACKUMENT_PREFIX + name.full)) !== undefined
  }

  async tarballEntry(name: PackageName, filename: string): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(`${PRIVATE_TARBALL_PREFIX}${name.full}/${filename}`)
    return entry?.status === 'ok' ? entry : undefined
  }

  /** The private document as published (tarball URLs are placeholders). */
  async source(name: PackageName): Promise<Doc | undefined> {
    const entry = await this.entry(name)
    const sha256 = entry?.parts?.source?.sha256
    if (!sha256) return undefined
    const body = await this.store.openBlob(sha256)
    if (!body) throw new LarderError('E_STORE', `private packument of ${name.full} lost its source`)
    return JSON.parse((await readAll(body)).toString('utf8'))
  }

  publish(name: PackageName, published: PublishedVersion, principal: Principal): Promise<string> {
    return this.locks.run(name.full, async () => {
      const facts = await readTarballFacts(published.tarball)
      const current = (await this.source(name)) ?? (await this.freshDocument(name))
      if (current.versions[published.version] || current.time[published.version]) {
        throw new LarderError('E_CONFLICT', `${name.full}@${published.version} is already published`, {
          hint: 'bump the version: a published version can never be replaced',
        })
      }
      const manifest = privateManifest(name, published, facts, principal.name, PLACEHOLDER_ORIGIN)
      const time = new Date(this.now()).toISOString()
      current.versions[published.version] = manifest
      const tags = { ...current['dist-tags'], ...published.distTags }
      if (!tags.latest) tags.latest = published.version
      current['dist-tags'] = checkedTags(current, tags)
      current.time = { ...current.time, created: current.time.created ?? time, modified: time, [published.version]: time }
      if (published.readme !== undefined) current.readme = published.readme
      // Everything that can refuse the publish has run; only the two entries make it visible, the packument last.
      const packument = await this.stage(name, current)
      const tarball = await this.store.putBlob(published.tarball)
      const key = `${PRIVATE_TARBALL_PREFIX}${name.full}/${published.filename}`
      const meta = { publishedBy: principal.name }
      const entry: CacheEntry = { key, status: 'ok', fetchedAt: this.now(), blob: tarball.sha256, size: tarball.size, contentType: 'application/octet-stream', meta }
      await commitPublish(this.store, [entry], packument)
      return current._rev
    })
  }

  /**
   * Applies a document sent back without tarballs: `npm deprecate` (PUT /name) and `npm unpublish
   * name@v` (PUT /name/-rev/rev). `verb` says what was refused when the name is not published here.
   */
  update(name: PackageName, rev: unknown, next: Doc, verb: string): Promise<string> {
    return this.locks.run(name.full, async () => {
      const current = await this.requireRevision(name, rev, verb)
      const removed = applyVersionUpdate(name.full, current, next)
      current['dist-tags'] = checkedTags(current, next['dist-tags'] ?? current['dist-tags'])
      current.time.modified = new Date(this.now()).toISOString()
      const saved = await this.save(name, current)
      // Only once the document is saved, so a failed save loses no tarball; npm's own DELETE of each comes next and finds it gone.
      for (const file of removed) await this.store.deleteEntry(`${PRIVATE_TARBALL_PREFIX}${name.full}/${file}`)
      return saved
    })
  }

  setDistTag(name: PackageName, tag: string, version: string | undefined): Promise<string> {
    return this.locks.run(name.full, async () => {
      const current = await this.requireOwn(name, 'tagged')
      const tags = { ...current['dist-tags'] }
      if (version === undefined) delete tags[tag]
      else tags[tag] = version
      current['dist-tags'] = checkedTags(current, tags)
      current.time.modified = new Date(this.now()).toISOString()
      return this.save(name, current)
    })
  }

  /**
   * Removes a whole package (`npm unpublish name --force`). A tombstone stays: the name must not
   * fall back to an upstream package of the same name, and its old versions cannot be reused.
   */
  remove(name: PackageName, rev: string): Promise<void> {
    return this.locks.run(name.full, async () => {
      const current = await this.requireRevision(name, rev, 'unpublished')
      for (const manifest of Object.values(current.versions) as Doc[]) {
        const file = String(manifest.dist?.tarball ?? '').split('/-/')[1]
        if (file) await this.store.deleteEntry(`${PRIVATE_TARBALL_PREFIX}${name.full}/${file}`)
      }
      await this.store.putEntry({
        key: PRIVATE_PACKUMENT_PREFIX + name.full,
        status: 'missing',
        fetchedAt: this.now(),
        meta: { unpublished: true, time: { ...current.time, unpublished: new Date(this.now()).toISOString() } },
      })
    })
  }

  /** The document a first publish starts from; after a full unpublish it remembers the old versions' times. */
  private async freshDocument(name: PackageName): Promise<Doc> {
    const tombstone = await this.store.getEntry(PRIVATE_PACKUMENT_PREFIX + name.full)
    const time = { ...((tombstone?.meta?.time as Record<string, string> | undefined) ?? {}) }
    delete time.unpublished
    return { _id: name.full, name: name.full, 'dist-tags': {}, versions: {}, time }
  }

  /** Removes a tarball whose version is no longer in the document. */
  removeTarball(name: PackageName, filename: string): Promise<void> {
    return this.locks.run(name.full, async () => {
      const current = await this.requireOwn(name, 'unpublished')
      const stillListed = Object.values(current.versions).some((m: any) => String(m.dist?.tarball).endsWith(`/-/${filename}`))
      if (stillListed) throw new LarderError('E_CONFLICT', `${filename} belongs to a published version; unpublish the version first`)
      await this.store.deleteEntry(`${PRIVATE_TARBALL_PREFIX}${name.full}/${filename}`)
    })
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
    const mirrored = !(await this.owns(name)) && (await this.store.getEntry(UPSTREAM_KEY_PREFIX + name.full))?.status === 'ok'
    if (mirrored) {
      throw new LarderError('E_METHOD_NOT_ALLOWED', `${name.full} is mirrored from upstream; only packages published to this Larder can be ${verb}`)
    }
    throw new LarderError('E_NOT_FOUND', `${name.full} is not a package published to Larder`, { hint: 'npm publish it first' })
  }

  private async save(name: PackageName, doc: Doc): Promise<string> {
    await this.store.putEntry(await this.stage(name, doc))
    return doc._rev
  }

  /** Gives the document its next revision and stores its bodies; nothing is served until the returned entry is put. */
  private async stage(name: PackageName, doc: Doc): Promise<CacheEntry> {
    const revision = Number(String(doc._rev ?? '0').split('-')[0]) + 1
    doc.maintainers = publishersOf(doc)
    doc._rev = `${revision}-${createHash('sha256').update(JSON.stringify(doc.versions)).digest('hex').slice(0, 16)}`
    const stored = storedPackumentEntry(rewritePackument(doc, { name: name.full }))
    const source = Buffer.from(JSON.stringify(doc))
    const main = await this.store.putBlob(stored.body)
    const parts = {
      abbreviated: await this.store.putBlob(stored.parts.abbreviated),
      tarballs: await this.store.putBlob(stored.parts.tarballs),
      source: await this.store.putBlob(source),
    }
    return {
      key: PRIVATE_PACKUMENT_PREFIX + name.full,
      status: 'ok',
      fetchedAt: this.now(),
      blob: main.sha256,
      size: main.size,
      contentType: stored.contentType,
      parts,
      meta: { ...stored.meta, rev: doc._rev },
    }
  }
}
