/** Fault proxy modes that keep the framing sound and replace what is said: 200 with no index and no artifact in it. */
import { PORTAL_PAGE, garbageBytes } from '../fixture-server/faults.js'
import type { BufferedResponse } from './wire-modes.js'

/** 'portal': a login page (text/html); 'empty': no bytes; 'garbage': random bytes under the target's content type. */
export const CONTENT_MODES = ['portal', 'empty', 'garbage'] as const
export type ContentMode = (typeof CONTENT_MODES)[number]

export const isContentMode = (mode: string): mode is ContentMode => (CONTENT_MODES as readonly string[]).includes(mode)

/** The target's answer said otherwise: 200 OK, with its Content-Type kept unless the page is a portal's. */
export function replaceContent(response: BufferedResponse, mode: ContentMode): BufferedResponse {
  const kept = response.headers.filter(([name]) => !/^(content-type|etag|last-modified|content-encoding|content-range)$/i.test(name))
  const type = response.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? 'application/octet-stream'
  const body = mode === 'portal' ? Buffer.from(PORTAL_PAGE) : mode === 'empty' ? Buffer.alloc(0) : garbageBytes(response.body.length)
  const contentType = mode === 'portal' ? 'text/html; charset=utf-8' : type
  return { status: 200, statusMessage: 'OK', headers: [...kept, ['Content-Type', contentType]], body, bodiless: false, announcedLength: undefined }
}
