/** Conditional requests from clients: If-None-Match against our strong ETags. */
import type { Context } from 'hono'

/** True when the client's If-None-Match names `etag` (or is `*`); weak forms compare by their opaque tag. */
export function clientHasCurrent(c: Context, etag: string): boolean {
  const header = c.req.header('if-none-match')
  if (!header) return false
  if (header.trim() === '*') return true
  const strip = (tag: string) => tag.trim().replace(/^W\//, '')
  const wanted = strip(etag)
  return header.split(',').some((tag) => strip(tag) === wanted)
}
