/** One GET through the fetcher: a document read to text, or an artifact hashed as it streams against the lockfile's digests. */
import { StreamingDigest, type ExpectedDigests } from '@larder/core'
import { algorithmsOf, matchLockfile, type Digests } from '../lockfiles/digests.js'
import type { LockedArtifact } from '../lockfiles/locked-item.js'
import { isOk, type FetchedResponse } from '../fetcher/fetched-response.js'
import type { LarderFetcher } from '../fetcher/larder-fetcher.js'
import { documentText } from './document-text.js'

/** A stored artifact's ETag is its blob's sha256, the address in the content-addressed store. */
const STORED_ETAG = /^"([0-9a-f]{64})"$/

export interface FetchOutcome {
  path: string
  ok: boolean
  bytes: number
  /** X-Larder-Cache: HIT, MISS, OFFLINE, ... */
  cache?: string
  sha256?: string
  /** The algorithms the lockfile gave and the bytes matched; empty when it gave none. */
  verified: string[]
  /** Set when the body was left unread (see `deferStoredBytes`): any one of these sets the stored blob's bytes must still match. */
  unchecked?: Digests[]
  error?: string
}

export interface ArtifactCheck {
  /** Hears each chunk's size, for progress. */
  onBytes?: (n: number) => void
  /**
   * Held is enough when the answer names its stored blob (its ETag): the body is left unread and its digests
   * go with the outcome, for a caller that reads those bytes anyway and checks them then (export, as it writes
   * the bundle), so that each file is read once.
   */
  deferStoredBytes?: boolean
}

export interface DocumentOutcome extends FetchOutcome {
  body?: string
}

/** The body is kept only when asked for (a pip page to read files from): a packument can be tens of MB. Compressed ones are unpacked. */
export async function fetchDocument(fetcher: LarderFetcher, path: string, accept: string | undefined, keepBody: boolean): Promise<DocumentOutcome> {
  try {
    const response = await fetcher.get(path, accept)
    const cache = response.header('x-larder-cache')
    if (!isOk(response)) return { path, ok: false, bytes: 0, cache, verified: [], error: await failureOf(response) }
    if (keepBody) {
      const raw = await response.bytes()
      const body = await documentText(raw)
      return { path, ok: true, bytes: raw.byteLength, cache, verified: [], ...(body === undefined ? {} : { body }) }
    }
    let bytes = 0
    for await (const chunk of response.body) bytes += chunk.byteLength
    return { path, ok: true, bytes, cache, verified: [] }
  } catch (error) {
    return { path, ok: false, bytes: 0, verified: [], error: `request failed: ${messageOf(error)}` }
  }
}

export async function fetchArtifact(fetcher: LarderFetcher, artifact: LockedArtifact, check: ArtifactCheck = {}): Promise<FetchOutcome> {
  const { path } = artifact
  const wanted: Digests[] = artifact.anyOf ?? [artifact.expected]
  // sha256 always (the store's address), plus every algorithm any acceptable set names.
  const digest = new StreamingDigest(algorithmsOf(wanted) as ExpectedDigests)
  let cache: string | undefined
  let address: string | undefined
  let bytes = 0
  try {
    const response = await fetcher.get(path)
    cache = response.header('x-larder-cache')
    address = STORED_ETAG.exec(response.header('etag') ?? '')?.[1]
    if (!isOk(response)) return { path, ok: false, bytes, cache, verified: [], error: await failureOf(response) }
    if (check.deferStoredBytes && address) {
      await response.discard()
      return { path, ok: true, bytes, cache, sha256: address, verified: [], unchecked: wanted }
    }
    for await (const chunk of response.body) {
      bytes += chunk.byteLength
      digest.update(chunk)
      check.onBytes?.(chunk.byteLength)
    }
  } catch (error) {
    // A body cut off half way is how Larder refuses bytes that fail its own check after the headers went out.
    return { path, ok: false, bytes, cache, verified: [], error: `download failed after ${bytes} bytes: ${messageOf(error)}` }
  }
  const actual: Record<string, string | undefined> = digest.digest().digests
  const base = { path, bytes, cache, sha256: actual.sha256! }
  // Also a check where the lockfile has no digest: a damaged blob no longer hashes to its own name.
  if (address && address !== base.sha256) {
    return {
      ...base,
      ok: false,
      verified: [],
      error: `the stored bytes hash to sha256:${base.sha256.slice(0, 16)}…, not to their address ${address.slice(0, 16)}…: the store is damaged`,
    }
  }
  const matched = matchLockfile(wanted, actual)
  return 'verified' in matched ? { ...base, ok: true, verified: matched.verified } : { ...base, ok: false, verified: [], error: matched.error }
}

/** Larder answers errors as JSON { error, code, hint }, its OCI mirror as distribution's { errors: [{ code, message, detail }] }; anything else is shown by status. */
async function failureOf(response: FetchedResponse): Promise<string> {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as {
      error?: string
      code?: string
      hint?: string
      errors?: { code?: string; message?: string; detail?: { hint?: string } }[]
    }
    const oci = body.errors?.[0]
    if (oci) return `${response.status} ${oci.code ?? ''}: ${oci.message ?? ''}${oci.detail?.hint ? ` (${oci.detail.hint})` : ''}`
    if (body.code || body.error) return `${response.status} ${body.code ?? ''}: ${body.error ?? ''}${body.hint ? ` (${body.hint})` : ''}`
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  return `${response.status} ${response.statusText}`.trim()
}

function messageOf(error: unknown): string {
  const err = error as Error & { cause?: Error }
  return err.cause?.message ? `${err.message} (${err.cause.message})` : String(err?.message ?? error)
}
