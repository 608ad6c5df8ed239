/** Gems pushed to Larder: stored apart from the mirror, listed in its compact index, never looked up upstream. */
import { createReadStream } from 'node:fs'
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
import { md5Hex, renderInfo, renderInfoLine } from '../compact-index/info-file.js'
import { readGemPackage } from './gem-package.js'
import { quickSpecBody } from './quick-spec.js'

export const PRIVATE_GEM_PREFIX = 'gems-private:gem:'
export const PRIVATE_FILE_PREFIX = 'gems-private:file:'
export const PRIVATE_QUICK_PREFIX = 'gems-private:quick:'
const GEM_TYPE = 'application/octet-stream'

export interface PrivateVersion {
  /** `1.0.0` or `1.0.0-java` */
  number: string
  filename: string
  infoLine: string
  yanked: boolean
  publishedBy: string
  publishedAt: string
}

export interface PushedGem {
  name: string
  number: string
  filename: string
}

export class PrivateGems {
  /** Each gem's document is its /info entry: the blob is the /info body, the meta its versions. */
  private readonly hosted: HostedPackages

  constructor(
    store: CacheStore,
    /** Gems private before anything is pushed (LARDER_GEMS_PRIVATE_NAMES). */
    isReserved: (name: string) => boolean = () => false,
    options: HostedChangeOptions = {},
  ) {
    this.hosted = new HostedPackages({ store, documentPrefix: PRIVATE_GEM_PREFIX, isReserved, ecosystem: 'gems', ...options })
  }

  /** The gem's /info entry; present once a version was ever pushed, yanked or not. */
  entry(name: string): Promise<CacheEntry | undefined> {
    return this.hosted.documentEntry(name)
  }

  /** True for listed gems and once a version was ever pushed: such gems are never looked up upstream. */
  owns(name: string): Promise<boolean> {
    return this.hosted.owns(name)
  }

  file(filename: string): Promise<CacheEntry | undefined> {
    return this.hosted.entry(PRIVATE_FILE_PREFIX + filename)
  }

  quickSpec(stem: string): Promise<CacheEntry | undefined> {
    return this.hosted.entry(PRIVATE_QUICK_PREFIX + stem)
  }

  /** Every private gem's entry, sorted by name so that composed documents are stable. */
  async all(): Promise<CacheEntry[]> {
    const names: string[] = []
    for await (const name of this.hosted.names()) names.push(name)
    const entries = await Promise.all(names.sort().map((name) => this.entry(name)))
    return entries.filter((entry) => entry !== undefined)
  }

  /**
   * `gem` is the spooled push; the store takes it once every check has passed. `admitName` runs once
   * the gem's name is known and before anything is stored: the name policy of a push.
   */
  async push(gem: SpooledFile, principal: Principal, admitName: (name: string) => Promise<void> = async () => {}): Promise<PushedGem> {
    const { spec } = await readGemPackage(createReadStream(gem.path))
    await admitName(spec.name)
    return this.hosted.change(spec.name, async () => {
      const versions = await this.versions(spec.name)
      const number = spec.platform === 'ruby' ? spec.version : `${spec.version}-${spec.platform}`
      if (versions.some((v) => v.number === number)) {
        throw new LarderError('E_CONFLICT', `${spec.name} (${number}) was already pushed`, {
          hint: 'bump the version: a pushed version is never replaced, even once yanked',
        })
      }
      const filename = `${spec.name}-${number}.gem`
      const runtime = spec.dependencies.filter((dep) => dep.type === 'runtime')
      const infoLine = renderInfoLine({ ...spec, dependencies: runtime, sha256: gem.sha256 })
      const quickBody = quickSpecBody(spec)
      const publishedAt = new Date(this.hosted.now()).toISOString()
      const { store } = this.hosted
      // Every check has run: the .gem and its quick spec are stored, and become visible with the /info entry that lists them.
      await store.ingestBlob(gem.path, { sha256: gem.sha256, size: gem.size })
      const quick = await store.putBlob(quickBody)
      const files = [
        this.fileEntry(PRIVATE_FILE_PREFIX + filename, gem, { sha256: gem.sha256 }),
        this.fileEntry(PRIVATE_QUICK_PREFIX + `${spec.name}-${number}`, quick),
      ]
      await this.save(spec.name, [...versions, { number, filename, infoLine, yanked: false, publishedBy: principal.name, publishedAt }], files)
      await this.hosted.announce({ type: 'publish', name: spec.name, version: number, files: [eventFile(filename, gem)], by: principal.name })
      return { name: spec.name, number, filename }
    })
  }

  /** Takes a version out of the index and stops serving its files; the number stays used. */
  yank(name: string, version: string, platform: string | undefined, principal: Principal): Promise<string> {
    return this.hosted.change(name, async () => {
      const number = !platform || platform === 'ruby' ? version : `${version}-${platform}`
      const versions = await this.versions(name)
      const target = versions.find((v) => v.number === number && !v.yanked)
      if (!target) throw new LarderError('E_NOT_FOUND', `${name} (${number}) is not a pushed, unyanked version`)
      target.yanked = true
      const held = await this.hosted.store.getEntry(PRIVATE_FILE_PREFIX + target.filename)
      await this.hosted.store.deleteEntry(PRIVATE_FILE_PREFIX + target.filename)
      await this.hosted.store.deleteEntry(PRIVATE_QUICK_PREFIX + `${name}-${number}`)
      await this.save(name, versions)
      await this.hosted.announce({ type: 'yank', name, version: number, files: held?.blob ? [eventFile(target.filename, held)] : [], by: principal.name })
      return number
    })
  }

  /** The /versions line of a private gem; none when every version is yanked (an empty list cannot be written). */
  static versionsLine(entry: CacheEntry): string | undefined {
    const live = ((entry.meta?.versions ?? []) as PrivateVersion[]).filter((v) => !v.yanked)
    if (live.length === 0) return undefined
    return `${entry.meta?.name} ${live.map((v) => v.number).join(',')} ${entry.meta?.md5}`
  }

  private async versions(name: string): Promise<PrivateVersion[]> {
    // Entries from the store are shared and frozen: work on copies.
    return (((await this.entry(name))?.meta?.versions ?? []) as PrivateVersion[]).map((v) => ({ ...v }))
  }

  /** Writes the gem's /info entry for these versions, after `files` (the ones it newly lists). */
  private async save(name: string, versions: PrivateVersion[], files: CacheEntry[] = []): Promise<void> {
    const body = renderInfo(versions.filter((v) => !v.yanked).map((v) => v.infoLine))
    const fields = { fetchedAt: this.hosted.now(), contentType: 'text/plain; charset=utf-8', meta: { name, md5: md5Hex(body), versions } }
    await this.hosted.commit(name, files, fields, Buffer.from(body))
  }

  private fileEntry(key: string, blob: { sha256: string; size: number }, meta?: Record<string, unknown>): CacheEntry {
    return { key, status: 'ok', fetchedAt: this.hosted.now(), blob: blob.sha256, size: blob.size, contentType: GEM_TYPE, meta }
  }
}
