/** The event Larder announces after every change to what it hosts, and its signature. */
import { createHmac } from 'node:crypto'

/** What happened: the same words in every ecosystem, so one receiver handles them all. */
export const EVENT_TYPES = ['publish', 'unpublish', 'deprecate', 'dist-tag', 'yank', 'unyank', 'push', 'delete', 'upload'] as const
export type EventType = (typeof EVENT_TYPES)[number]

export interface EventFile {
  name: string
  size: number
  sha256: string
}

export interface PublishEvent {
  /** `<outbox>-<sequence>`: unique across Larders, increasing within one; receivers dedupe by it. */
  id: string
  type: EventType
  /** The mirror's name ('npm', 'pypi', ... 'oci', 'files'), as in token scopes. */
  ecosystem: string
  /** The package, repository or image the change is about. */
  name: string
  /** The version, tag or digest; null when the change is about the whole name. */
  version: string | null
  files: EventFile[]
  /** The token name that made the change. */
  by: string
  /** ISO 8601 time of the change. */
  at: string
  /** The dist-tag a 'dist-tag' event moved (or removed, with version null). */
  tag?: string
}

/** What a mirror says about a change; the outbox gives it its id and time. */
export type EventInput = Omit<PublishEvent, 'id' | 'at' | 'files'> & { files?: EventFile[] }

/** The X-Larder-Signature value of a body: the hex HMAC-SHA256 of its exact bytes with the shared secret. */
export function signEventBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** Splits an event id into its outbox and sequence number; undefined when it is not one. */
export function parseEventId(id: string): { outbox: string; seq: number } | undefined {
  const match = /^([0-9a-f]{8})-(\d{1,15})$/.exec(id)
  return match ? { outbox: match[1]!, seq: Number(match[2]) } : undefined
}

/** The event's record of a stored file. */
export function eventFile(name: string, blob: { sha256?: string; blob?: string; size?: number }): EventFile {
  return { name, size: blob.size ?? 0, sha256: blob.sha256 ?? blob.blob ?? '' }
}
