/** Parses a single-range `Range: bytes=...` header against a known size (RFC 9110 section 14). */
import type { ByteRange } from '../store/types.js'

export type RangeRequest = ByteRange | 'unsatisfiable' | undefined

/** undefined: serve the whole body (no header, several ranges, or a form we do not support). */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match) return undefined
  const [, first, last] = match as unknown as [string, string, string]
  if (first === '' && last === '') return undefined
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  if (start >= size) return 'unsatisfiable'
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (end < start) return undefined
  return { start, end }
}
