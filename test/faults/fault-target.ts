/** What each mirror's fault test provides: its fixture behind fault proxies, one index and one artifact per case, and the Larder limits of the suite. */
import type { FaultProxy, FaultProxyMode } from '@larder/testkit'

/** The framings that deliver every byte: index and artifact must arrive byte for byte. */
export const BENIGN_CASES = ['normal', 'close-after-body', 'http10', 'chunked'] as const satisfies readonly FaultProxyMode[]
/** The upstream behaviours that cannot deliver the artifact: a clear error or a cut-off response, never a stored part. */
export const BREAKING_CASES = ['fin-mid-body', 'rst-mid-body', 'drip', 'headers-never-finish'] as const satisfies readonly FaultProxyMode[]
/** Upstreams that answer 200 over a sound connection with no document in it: a login page, no bytes, random bytes. */
export const CONTENT_CASES = ['portal', 'empty', 'garbage'] as const satisfies readonly FaultProxyMode[]
/** A multi-MB artifact, close-delimited, read by a client that pauses until the upstream has closed. */
export const BACKPRESSURE_CASE = 'backpressure'
export const ALL_CASES = [...BENIGN_CASES, ...BREAKING_CASES, ...CONTENT_CASES, BACKPRESSURE_CASE] as const
export type FaultCase = (typeof ALL_CASES)[number]
/** How the backpressure case's upstream answers. */
export const BACKPRESSURE_MODE: FaultProxyMode = 'http10'
/** The backpressure artifact's payload size (before the ecosystem's packing). */
export const BIG_PAYLOAD_BYTES = 12 * 1024 * 1024

/**
 * Short limits so every fault ends in seconds. Index TTL 0 makes each index request ask upstream;
 * the stale deadline of 1 s hands a cached index to the client while a hung refresh runs on.
 */
export const FAULT_SUITE_ENV = {
  LARDER_UPSTREAM_TIMEOUT_SECONDS: '2',
  LARDER_UPSTREAM_RETRIES: '0',
  LARDER_UPSTREAM_MIN_BYTES_PER_SECOND: '200',
  LARDER_UPSTREAM_THROUGHPUT_WINDOW_SECONDS: '2',
  LARDER_UPSTREAM_DEADLINE_SECONDS: '20',
  LARDER_INDEX_TTL_SECONDS: '0',
  LARDER_STALE_DEADLINE_MS: '1000',
}

/** One case's documents, as Larder serves them. */
export interface CaseFixture {
  /** Larder path of the index document, e.g. /npm/fault-normal. */
  indexPath: string
  /** Larder paths a client fetches after the index and before the artifact (APT: Packages). */
  between?: string[]
  /** Larder path of the artifact. */
  artifactPath: string
  /** The artifact's path on its upstream (what the proxy sees). */
  upstreamArtifactPath: string
  sha256: string
  size: number
}

export interface FaultTarget {
  mirror: string
  /** The mirror's upstream variables, pointing at the proxies. */
  env: Record<string, string>
  /** Every proxy in front of the mirror's upstream hosts (Composer: metadata and dists). */
  proxies: FaultProxy[]
  cases: Record<FaultCase, CaseFixture>
  /** Whether an upstream path (as a proxy sees it) is an artifact rather than an index document. */
  isArtifactPath(path: string): boolean
  /** The mirror revalidates its index with a HEAD (OCI tags): a fault that only breaks bodies leaves that answer whole. */
  revalidatesWithHead?: boolean
  stop(): Promise<void>
}

/** Puts every proxy of `target` into `mode` for the artifact paths, the index paths, or everything. */
export function setTargetMode(target: FaultTarget, mode: FaultProxyMode, only?: 'artifacts' | 'indexes'): void {
  const match =
    only === 'artifacts' ? (path: string) => target.isArtifactPath(path) : only === 'indexes' ? (path: string) => !target.isArtifactPath(path) : undefined
  for (const proxy of target.proxies) proxy.setMode(mode, match)
}

/** Whether some proxy answered `path` in `mode`: proof that the fault was really exercised. */
export function servedInMode(target: FaultTarget, mode: FaultProxyMode, predicate: (path: string) => boolean): boolean {
  return target.proxies.some((proxy) => proxy.requests.some((r) => r.mode === mode && predicate(r.path)))
}
