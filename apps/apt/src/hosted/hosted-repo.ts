/** The hosted repository: uploaded .debs in the store, and Packages/Release/InRelease/Release.gpg regenerated and signed on each upload. */
import { gzipSync } from 'node:zlib'
import { KeyedMutex, LarderError, commitPublish, eventFile, type CacheEntry, type LarderServices, type SpooledFile } from '@larder/core'
import { parseStanzas, renderStanza } from '../deb822/deb822.js'
import type { AptConfig } from '../config/apt-config.js'
import { readDebControl } from './deb-file.js'
import { renderPackages, renderRelease, type HostedDeb } from './repo-render.js'
import { loadOrCreateSharedSigner } from './shared-signing-key.js'
import { loadOrCreateSigner, type ArchiveSigner } from './signing-key.js'

export const DEB_CONTENT_TYPE = 'application/vnd.debian.binary-package'

interface StoredDebMeta extends Omit<HostedDeb, 'control'> {
  control: string
  uploadedBy: string
}

export interface AddedDeb {
  deb: HostedDeb
  /** False when the same bytes were already there. */
  created: boolean
}

export class HostedRepo {
  private readonly lock: KeyedMutex
  private signerPromise: Promise<ArchiveSigner> | undefined

  constructor(
    private readonly services: LarderServices,
    readonly config: AptConfig,
  ) {
    this.lock = new KeyedMutex({ scope: 'apt-hosted', leases: services.leases })
  }

  get name(): string {
    return this.config.hostedName
  }

  private get suiteKey(): string {
    return `apt-hosted:${this.name}:suite:${this.config.hostedSuite}`
  }

  private get configured(): string {
    return this.config.hostedArchitectures.join(' ')
  }

  private debKey(poolPath: string): string {
    return `apt-hosted:${this.name}:deb:${poolPath}`
  }

  /** Its own namespace: listing the uploaded debs reads all of `apt-hosted`, which these would swell. */
  byHashKey(sha256: string): string {
    return `apt-hosted-index:${this.name}:${sha256}`
  }

  /** Larder's signing key, made on first use (main.ts warms it at start); one for all replicas on a database. */
  signer(): Promise<ArchiveSigner> {
    const shared = this.services.database !== undefined && !this.config.signingKeyGiven
    this.signerPromise ??= shared ? loadOrCreateSharedSigner(this.services, this.config.signingKeyPath) : loadOrCreateSigner(this.config.signingKeyPath)
    this.signerPromise.catch(() => (this.signerPromise = undefined))
    return this.signerPromise
  }

  /** `file` is the spooled upload, hashed with md5 and sha1 too; the store takes it once every check has passed. */
  async add(file: SpooledFile, uploadedBy: string): Promise<AddedDeb> {
    const control = await readDebControl(file.path)
    const { sha256, digests } = file
    if (!digests.md5 || !digests.sha1) throw new LarderError('E_INTERNAL', 'the upload was spooled without its md5 and sha1')
    const deb: HostedDeb = {
      control: control.stanza,
      package: control.package,
      version: control.version,
      architecture: control.architecture,
      poolPath: control.poolPath,
      size: file.size,
      md5: digests.md5,
      sha1: digests.sha1,
      sha256,
    }
    return this.lock.run(this.suiteKey, async () => {
      // The suite as this upload found it: the commit is fenced on it (see commitPublish's unchanged).
      const suiteBefore = await this.services.store.getEntry(this.suiteKey)
      const existing = await this.services.store.getEntry(this.debKey(deb.poolPath))
      if (existing?.blob === sha256) return { deb, created: false }
      if (existing) {
        throw new LarderError('E_CONFLICT', `${control.filename} is already uploaded with other contents`, {
          hint: 'a Debian version names one file forever: upload a new Version',
        })
      }
      await this.services.store.ingestBlob(file.path, { sha256, size: file.size })
      const blob = { sha256, size: file.size }
      const meta: StoredDebMeta = { ...deb, control: renderStanza(deb.control), uploadedBy }
      const entry: CacheEntry = {
        key: this.debKey(deb.poolPath),
        status: 'ok',
        fetchedAt: Date.now(),
        blob: blob.sha256,
        size: blob.size,
        contentType: DEB_CONTENT_TYPE,
        meta: { ...meta },
      }
      // Rendered and signed with the new package before anything is visible: a failure leaves the repository as it was.
      const staged = await this.stageSuite([...(await this.listDebs()), deb])
      // By-hash keys are content addresses: an index that did not change keeps the key the current suite serves,
      // so only new ones may be taken back if the suite write fails.
      const held = await Promise.all(staged.byHash.map((e) => this.services.store.getEntry(e.key)))
      // A replica that lost its lock mid-upload cannot replace a suite another replica signed meanwhile (which
      // would drop that one's package from Packages): it is refused with E_CONFLICT and the client uploads again.
      await commitPublish(this.services.store, [entry, ...staged.byHash.filter((_, i) => held[i]?.status !== 'ok')], staged.suite, {
        unchanged: { key: this.suiteKey, entry: suiteBefore },
      })
      await this.services.events.record({
        type: 'publish',
        ecosystem: 'apt',
        name: deb.package,
        version: deb.version,
        files: [eventFile(deb.poolPath, blob)],
        by: uploadedBy,
      })
      return { deb, created: true }
    })
  }

  debEntry(poolPath: string): Promise<CacheEntry | undefined> {
    return this.services.store.getEntry(this.debKey(poolPath))
  }

  /** The signed suite (Release files and indexes as parts), generated on first use or when the key changed. */
  async suite(): Promise<CacheEntry> {
    const signer = await this.signer()
    // Made again when the key or the configured architectures changed since it was signed.
    const current = (entry: CacheEntry | undefined) => entry?.meta?.fingerprint === signer.fingerprint && entry.meta?.configured === this.configured
    const entry = await this.services.store.getEntry(this.suiteKey)
    if (entry && current(entry)) return entry
    return this.lock.run(this.suiteKey, async () => {
      const again = await this.services.store.getEntry(this.suiteKey)
      return again && current(again) ? again : this.regenerate()
    })
  }

  private async listDebs(): Promise<HostedDeb[]> {
    const debs: HostedDeb[] = []
    for await (const key of this.services.store.listEntries(`apt-hosted:${this.name}:deb:`)) {
      const meta = (await this.services.store.getEntry(key))?.meta as StoredDebMeta | undefined
      if (!meta) continue
      const [control] = parseStanzas(meta.control, key)
      debs.push({ ...meta, control: control ?? [] })
    }
    return debs
  }

  /** Call inside the lock. */
  private async regenerate(): Promise<CacheEntry> {
    const staged = await this.stageSuite(await this.listDebs())
    for (const entry of staged.byHash) await this.services.store.putEntry(entry)
    await this.services.store.putEntry(staged.suite)
    return staged.suite
  }

  /** The signed suite of `debs` and its by-hash entries, their bodies stored; nothing is served until the entries are put. */
  private async stageSuite(debs: HostedDeb[]): Promise<{ suite: CacheEntry; byHash: CacheEntry[] }> {
    const signer = await this.signer()
    const architectures = [...new Set([...this.config.hostedArchitectures, ...debs.map((d) => d.architecture).filter((a) => a !== 'all')])].sort()
    const files: Record<string, Uint8Array> = {}
    for (const arch of architectures) {
      const packages = Buffer.from(renderPackages(debs, arch))
      files[`main/binary-${arch}/Packages`] = packages
      files[`main/binary-${arch}/Packages.gz`] = gzipSync(packages, { level: 9 })
    }
    const release = renderRelease({ suite: this.config.hostedSuite, architectures, date: new Date(), files })
    const releaseBytes = Buffer.from(release)
    const bodies: Record<string, Uint8Array> = {
      ...files,
      Release: releaseBytes,
      'Release.gpg': Buffer.from(await signer.detachSign(releaseBytes)),
      InRelease: Buffer.from(await signer.clearsign(release)),
    }
    const parts: Record<string, { sha256: string; size: number }> = {}
    for (const [path, bytes] of Object.entries(bodies)) parts[path] = await this.services.store.putBlob(bytes)
    // Index objects stay addressable by digest after the next upload (clients mid-update ask by-hash).
    const byHash = Object.keys(files).map((path): CacheEntry => {
      const blob = parts[path]!
      return {
        key: this.byHashKey(blob.sha256),
        status: 'ok',
        fetchedAt: Date.now(),
        blob: blob.sha256,
        size: blob.size,
        contentType: 'application/octet-stream',
      }
    })
    const suite: CacheEntry = {
      key: this.suiteKey,
      status: 'ok',
      fetchedAt: Date.now(),
      blob: parts.Release!.sha256,
      size: parts.Release!.size,
      contentType: 'text/plain; charset=utf-8',
      parts,
      meta: { fingerprint: signer.fingerprint, configured: this.configured, debs: debs.length },
    }
    return { suite, byHash }
  }
}
