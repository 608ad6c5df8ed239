/**
 * Runs locked items against a Larder fetcher: each item's index documents (each fetched once however
 * many items need it), those its resolve asks for next (more-documents.ts), then its artifacts, hashed
 * against the lockfile. At most `concurrency` requests are in flight. An item is held when every
 * request answered 200 and every digest matched.
 */
import { documentKey, type LockedArtifact, type LockedItem } from '../lockfiles/locked-item.js'
import type { LarderFetcher } from '../fetcher/larder-fetcher.js'
import { fetchArtifact, fetchDocument, type DocumentOutcome, type FetchOutcome } from './fetch-check.js'
import { createLimiter } from './limiter.js'
import { resolveInRounds } from './resolve-rounds.js'

/** As many as npm itself keeps open to a registry (its maxsockets, 15), rounded up. */
export const DEFAULT_CONCURRENCY = 16

export interface ItemOutcome {
  item: LockedItem
  ok: boolean
  indexes: FetchOutcome[]
  artifacts: FetchOutcome[]
  /** Why it is not held, each naming the path. */
  errors: string[]
  bytes: number
}

export interface Progress {
  itemsDone: number
  itemsTotal: number
  bytes: number
}

export interface RunOptions {
  concurrency?: number
  onProgress?: (progress: Progress) => void
  /** Artifacts answered from a stored blob are held unread, their digests left to the caller (see fetchArtifact). */
  deferStoredBytes?: boolean
}

export async function runItems(items: readonly LockedItem[], fetcher: LarderFetcher, options: RunOptions = {}): Promise<ItemOutcome[]> {
  const limit = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY)
  const documents = new Map<string, Promise<DocumentOutcome>>()
  const progress: Progress = { itemsDone: 0, itemsTotal: items.length, bytes: 0 }
  const report = () => options.onProgress?.({ ...progress })
  const onBytes = (n: number) => {
    progress.bytes += n
    report()
  }
  const document = (path: string, accept: string | undefined, keepBody: boolean) => {
    const key = documentKey({ path, accept })
    let pending = documents.get(key)
    if (!pending) documents.set(key, (pending = limit(() => fetchDocument(fetcher, path, accept, keepBody))))
    return pending
  }

  const runOne = async (item: LockedItem): Promise<ItemOutcome> => {
    if (item.problem) return { item, ok: false, indexes: [], artifacts: [], errors: [item.problem], bytes: 0 }
    const artifact = (locked: LockedArtifact) => limit(() => fetchArtifact(fetcher, locked, { onBytes, deferStoredBytes: options.deferStoredBytes }))
    // Artifacts the lockfile names outright go at once, beside their index documents: Larder starts a
    // download asked for before its index at once too, so an item costs one round trip, not two.
    const early = item.resolve ? undefined : Promise.all(item.artifacts.map(artifact))
    const indexes = await Promise.all(item.indexes.map((doc) => document(doc.path, doc.accept, item.resolve !== undefined)))
    const errors = indexes.flatMap((doc) => (doc.ok ? [] : [`${doc.path}: ${doc.error}`]))
    let artifacts: LockedArtifact[] = item.artifacts
    if (item.resolve && errors.length === 0) {
      const resolved = await resolveInRounds({ ...item, resolve: item.resolve }, indexes, (path, accept) => document(path, accept, true))
      indexes.push(...resolved.more)
      errors.push(...resolved.errors)
      artifacts = resolved.artifacts
    }
    const fetched = await (early ?? Promise.all(artifacts.map(artifact)))
    for (const outcome of fetched) if (!outcome.ok) errors.push(`${outcome.path}: ${outcome.error}`)
    if (errors.length === 0 && fetched.length === 0) errors.push('nothing to fetch')
    const withoutBodies = indexes.map(({ body: _body, ...rest }) => rest)
    return { item, ok: errors.length === 0, indexes: withoutBodies, artifacts: fetched, errors, bytes: fetched.reduce((n, a) => n + a.bytes, 0) }
  }

  return Promise.all(
    items.map(async (item) => {
      const outcome = await runOne(item)
      progress.itemsDone++
      report()
      return outcome
    }),
  )
}
