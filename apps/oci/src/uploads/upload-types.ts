/** What the upload routes need of a session and of the sessions, whether they live in a local folder or in the shared store. */
import type { ChunkLimits } from './chunk-limits.js'

/** A finished upload's bytes as one local file, for the store to take. */
export interface CompletedUpload {
  path: string
  size: number
  /** sha256:<hex> of the bytes. */
  digest: string
  /** The blob is in the store already (a one-chunk upload to the shared store): nothing to ingest. */
  stored?: boolean
}

export interface OpenUpload {
  readonly id: string
  /** The hosted repository it uploads to; the session answers under that name only. */
  readonly repo: string
  /** Bytes held so far. */
  readonly size: number
  /** Appends a request body; on any failure the session is as it was before and the error says why. */
  append(body: ReadableStream<Uint8Array> | null, limits: ChunkLimits, label: string): Promise<void>
  /** The bytes so far as one file and their digest. */
  complete(): Promise<CompletedUpload>
}

export interface UploadSessionStore {
  start(repo: string): Promise<OpenUpload>
  /** Runs `task` on the session `id` of `repo`, alone; an unknown, expired or other repository's id is BLOB_UPLOAD_UNKNOWN. */
  run<T>(repo: string, id: string, task: (session: OpenUpload) => Promise<T>): Promise<T>
  /** Ends a session: finished (the store took the file) or cancelled. */
  close(session: OpenUpload): Promise<void>
  /** Deletes every session idle past the expiry; returns how many. */
  sweep(): Promise<number>
  /** Sweeps on a timer that never keeps the process alive; returns the function that stops it. */
  startSweeping(onError: (error: unknown) => void): () => void
}
