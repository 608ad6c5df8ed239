/** Fault proxy modes that keep the framing sound and replace what is said: 200 with no index and no artifact in it. */
import { PORTAL_PAGE, garbageBytes } from '../fixture-server/faults.js'
import type { BufferedResponse } from './wire-modes.js'

/** 'portal': a login page (text/html); 'empty': no bytes; 'garbage': random bytes under the target's content type. */
export const CONTENT_MODES = ['portal', 'empty', 'garbage'] as const
export type ContentMode = (typeof CONTENT_MODES)[number]

export const isContentMode = (mode: string): mode is ContentMode => (CONTENT_MODES as readonly string[]).includes(mode)

/** The target's answer replaced: 200 OK, with only its Content-Type kept for garbage. */
export function replaceContent(response: BufferedResponse, mode: ContentMode): BufferedResponse {
  // Nothing of the target's answer is kept but the type of what garbage stands in for: a portal says nothing of the registry behind it.
  const type = response.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? 'application/octet-stream'
  const body = mode === 'portal' ? Buffer.from(PORTAL_PAGE) : mode === 'empty' ? Buffer.alloc(0) : garbageBytes(response.body.length)
  const contentType = mode === 'portal' ? 'text/html; charset=utf-8' : type
  // A HEAD is answered as the GET would be, with no body: the length of the replacement, not the target's.
  const bodiless = response.bodiless
  const lengthOfGet = mode === 'garbage' ? response.announcedLength : String(body.length)
  return {
    status: 200,
    statusMessage: 'OK',
    headers: [['Content-Type', contentType]],
    body: bodiless ? Buffer.alloc(0) : body,
    bodiless,
    announcedLength: bodiless ? lengthOfGet : undefined,
  }
}
