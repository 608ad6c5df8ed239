/** Packages a mirror hosts beside what it mirrors: one document entry per name, files beside it, one change at a time per name. */
import type { EventInput, PublishEvents } from '../events/index.js'
import { KeyedMutex } from '../flight/index.js'
import type { HostLeases } from '../workers/host-leases.js'
import { LarderError } from '../errors/index.js'
import { commitPublish } from '../store/commit-publish.js'
import type { CacheEntry, CacheStore } from '../store/types.js'
import { readAll } from '../streams/index.js'

export interface HostedPackagesOptions {
  store: CacheStore
  /** Key prefix of each name's document entry ('pypi-private:project:'); the files' keys are the mirror's own. */
  documentPrefix: string
  /** Names hosted before anything is published under them (LARDER_<MIRROR>_PRIVATE_NAMES). */
  isReserved?: (name: string) => boolean
  now?: () => number
  /** Where changes are announced (LARDER_WEBHOOKS); with `ecosystem`, the mirror's name. */
  events?: EventRecorder
  ecosystem?: string
  /** Under LARDER_WORKERS: a name's changes are one at a time across the host's workers. */
  leases?: HostLeases | undefined
}

/** What a mirror's hosted package store passes on: its clock, its events, the host's leases. */
export type HostedChangeOptions = Pick<HostedPackagesOptions, 'now' | 'events' | 'leases'>

/** What a hosted change needs of the publish events: recording one. */
export type EventRecorder = Pick<PublishEvents, 'record'>

export class HostedPackages {
  readonly store: CacheStore
  readonly now: () => number
  private readonly documentPrefix: string
  private readonly isReserved: (name: string) => boolean
  private readonly locks: KeyedMutex
  private readonly events: EventRecorder | undefined
  private readonly ecosystem: string
  /** Each name's document entry as its change in progress found it: commits are fenced on it (see commit). */
  private readonly before = new Map<string, { entry: CacheEntry | undefined }>()

  constructor(options: HostedPackagesOptions) {
    this.events = options.events
    this.locks = new KeyedMutex({ scope: `hosted:${options.documentPrefix}`, leases: options.leases })
    this.ecosystem = options.ecosystem ?? ''
    this.store = options.store
    this.documentPrefix = options.documentPrefix
    this.isReserved = options.isReserved ?? (() => false)
    this.now = options.now ?? Date.now
  }

  /**
   * True for reserved names and once anything was published under the name, even if since removed (a
   * tombstone stays): such names are never looked up upstream.
   */
  async owns(name: string): Promise<boolean> {
    return this.isReserved(name) || (await this.store.getEntry(this.documentPrefix + name)) !== undefined
  }

  /** The name's document entry while it has one (not after a removal). */
  documentEntry(name: string): Promise<CacheEntry | undefined> {
    return this.entry(this.documentPrefix + name)
  }

  /** The whole entry under the document key, tombstone included. */
  anyDocumentEntry(name: string): Promise<CacheEntry | undefined> {
    return this.store.getEntry(this.documentPrefix + name)
  }

  /** The document (or one of its parts) parsed as JSON, with its entry. */
  async document<T>(name: string, part?: string): Promise<{ doc: T; entry: CacheEntry } | undefined> {
    const entry = await this.documentEntry(name)
    const sha256 = part ? entry?.parts?.[part]?.sha256 : entry?.blob
    if (!entry || !sha256) return undefined
    const body = await this.store.openBlob(sha256)
    if (!body)
      throw new LarderError('E_STORE', `the hosted document of ${name} lost its body (${sha256})`, { hint: 'run a store check; publish the package again' })
    return { doc: JSON.parse((await readAll(body)).toString('utf8')) as T, entry }
  }

  /** A file entry of a hosted package, only while its body's entry is ok. */
  async entry(key: string): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(key)
    return entry?.status === 'ok' ? entry : undefined
  }

  async *names(): AsyncIterable<string> {
    for await (const key of this.store.listEntries(this.documentPrefix)) yield key.slice(this.documentPrefix.length)
  }

  /** Runs a change of one name alone, so two publishes cannot both take the same version. */
  change<T>(name: string, run: () => Promise<T>): Promise<T> {
    return this.locks.run(name, async () => {
      this.before.set(name, { entry: await this.store.getEntry(this.documentPrefix + name) })
      try {
        return await run()
      } finally {
        this.before.delete(name)
      }
    })
  }

  /** Records the event of a change that has been committed; call inside change(), so events follow the order of commits. */
  async announce(event: Omit<EventInput, 'ecosystem'>): Promise<void> {
    await this.events?.record({ ...event, ecosystem: this.ecosystem })
  }

  /** Stores `body` as the document of `name` and makes it visible after `files` (see commitPublish); call inside change(). */
  async commit(
    name: string,
    files: readonly CacheEntry[],
    document: Omit<CacheEntry, 'key' | 'status' | 'blob' | 'size'>,
    body: Uint8Array,
  ): Promise<CacheEntry> {
    const stored = await this.store.putBlob(body)
    return this.commitEntry(name, files, { ...document, status: 'ok', blob: stored.sha256, size: stored.size })
  }

  /** Writes the document entry as given (a tombstone, say) after `files`, fenced as commit is; call inside change(). */
  async commitEntry(name: string, files: readonly CacheEntry[], document: Omit<CacheEntry, 'key'>): Promise<CacheEntry> {
    const entry: CacheEntry = { ...document, key: this.documentPrefix + name }
    // Written only if the document is still what the change began from: a replica that lost its lease
    // (its database session dropped) while another took the name cannot overwrite that one's commit.
    const before = this.before.get(name)
    await commitPublish(this.store, files, entry, before ? { unchanged: { key: entry.key, entry: before.entry } } : {})
    if (before) before.entry = entry
    return entry
  }
}
