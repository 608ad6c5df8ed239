/** Gems pushed to Larder: stored apart from the mirror, listed in its compact index, never looked up upstream. */
import { createReadStream } from 'node:fs'
import { KeyedMutex, LarderError, commitPublish, type CacheEntry, type CacheStore, type Principal, type SpooledFile } from '@larder/core'
import { md5Hex, renderInfo, renderInfoLine } from '../compact-index/info-file.js'
import { readGemPackage } from './gem-package.js'
import { quickSpecBody } from './quick-spec.js'

export const PRIVATE_GEM_PREFIX = 'gems-private:gem:'
export const PRIVATE_FILE_PREFIX = 'gems-private:file:'
export const PRIVATE_QUICK_PREFIX = 'gems-private:quick:'

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
  /** One change at a time per gem, so two pushes cannot both take the same version. */
  private readonly locks = new KeyedMutex()

  constructor(
    private readonly store: CacheStore,
    /** Gems private before anything is pushed (LARDER_GEMS_PRIVATE_NAMES). */
    private readonly isReserved: (name: string) => boolean = () => false,
    private readonly now: () => number = Date.now,
  ) {}

  /** The gem's /info entry (its blob is the /info body); present once a version was ever pushed, yanked or not. */
  async entry(name: string): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(PRIVATE_GEM_PREFIX + name)
    return entry?.status === 'ok' ? entry : undefined
  }

  /** True for listed gems and once a version was ever pushed: such gems are never looked up upstream. */
  async owns(name: string): Promise<boolean> {
    return this.isReserved(name) || (await this.entry(name)) !== undefined
  }

  async file(filename: string): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(PRIVATE_FILE_PREFIX + filename)
    return entry?.status === 'ok' ? entry : undefined
  }

  async quickSpec(stem: string): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(PRIVATE_QUICK_PREFIX + stem)
    return entry?.status === 'ok' ? entry : undefined
  }

  /** Every private gem's entry, sorted by name so that composed documents are stable. */
  async all(): Promise<CacheEntry[]> {
    const keys: string[] = []
    for await (const key of this.store.listEntries(PRIVATE_GEM_PREFIX)) keys.push(key)
    const entries = await Promise.all(keys.sort().map((key) => this.store.getEntry(key)))
    return entries.filter((entry): entry is CacheEntry => entry?.status === 'ok')
  }

  /**
   * `gem` is the spooled push; the store takes it once every check has passed. `admitName` runs once
   * the gem's name is known and before anything is stored: the name policy of a push.
   */
  push(gem: SpooledFile, principal: Principal, admitName: (name: string) => Promise<void> = async () => {}): Promise<PushedGem> {
    const { sha256 } = gem
    return readGemPackage(createReadStream(gem.path)).then(async ({ spec }) => {
      await admitName(spec.name)
      return this.locks.run(spec.name, async () => {
        const versions = await this.versions(spec.name)
        const number = spec.platform === 'ruby' ? spec.version : `${spec.version}-${spec.platform}`
        if (versions.some((v) => v.number === number)) {
          throw new LarderError('E_CONFLICT', `${spec.name} (${number}) was already pushed`, { hint: 'bump the version: a pushed version is never replaced, even once yanked' })
        }
        const filename = `${spec.name}-${number}.gem`
        const runtime = spec.dependencies.filter((dep) => dep.type === 'runtime')
        const infoLine = renderInfoLine({ ...spec, dependencies: runtime, sha256 })
        const quick = quickSpecBody(spec)
        const time = new Date(this.now()).toISOString()
        const info = await this.stage(spec.name, [...versions, { number, filename, infoLine, yanked: false, publishedBy: principal.name, publishedAt: time }])
        // Every check has run; the .gem and its quick spec become visible with the /info entry that lists them.
        const artifacts = [
          await this.stageSpooledEntry(PRIVATE_FILE_PREFIX + filename, gem, 'application/octet-stream', { sha256 }),
          await this.stageBlobEntry(PRIVATE_QUICK_PREFIX + `${spec.name}-${number}`, quick, 'application/octet-stream'),
        ]
        await commitPublish(this.store, artifacts, info)
        return { name: spec.name, number, filename }
      })
    })
  }

  /** Takes a version out of the index and stops serving its files; the number stays used. */
  yank(name: string, version: string, platform: string | undefined): Promise<string> {
    return this.locks.run(name, async () => {
      const number = !platform || platform === 'ruby' ? version : `${version}-${platform}`
      const versions = await this.versions(name)
      const target = versions.find((v) => v.number === number && !v.yanked)
      if (!target) throw new LarderError('E_NOT_FOUND', `${name} (${number}) is not a pushed, unyanked version`)
      target.yanked = true
      await this.store.deleteEntry(PRIVATE_FILE_PREFIX + target.filename)
      await this.store.deleteEntry(PRIVATE_QUICK_PREFIX + `${name}-${number}`)
      await this.save(name, versions)
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

  private async save(name: string, versions: PrivateVersion[]): Promise<void> {
    await this.store.putEntry(await this.stage(name, versions))
  }

  /** The gem's /info entry for these versions, its body stored; nothing changes until the entry is put. */
  private stage(name: string, versions: PrivateVersion[]): Promise<CacheEntry> {
    const body = renderInfo(versions.filter((v) => !v.yanked).map((v) => v.infoLine))
    return this.stageBlobEntry(PRIVATE_GEM_PREFIX + name, Buffer.from(body), 'text/plain; charset=utf-8', { name, md5: md5Hex(body), versions })
  }

  private async stageSpooledEntry(key: string, file: SpooledFile, contentType: string, meta?: Record<string, unknown>): Promise<CacheEntry> {
    await this.store.ingestBlob(file.path, { sha256: file.sha256, size: file.size })
    return { key, status: 'ok', fetchedAt: this.now(), blob: file.sha256, size: file.size, contentType, meta }
  }

  private async stageBlobEntry(key: string, bytes: Uint8Array, contentType: string, meta?: Record<string, unknown>): Promise<CacheEntry> {
    const blob = await this.store.putBlob(bytes)
    return { key, status: 'ok', fetchedAt: this.now(), blob: blob.sha256, size: blob.size, contentType, meta }
  }
}
