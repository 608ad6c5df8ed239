/** PEP 691 content negotiation: pick JSON, v1 HTML or plain HTML from the Accept header, or refuse (406). */
import { LarderError } from '@larder/core'

export const JSON_TYPE = 'application/vnd.pypi.simple.v1+json'
export const HTML_V1_TYPE = 'application/vnd.pypi.simple.v1+html'
export const LEGACY_HTML_TYPE = 'text/html'
/** PEP 691's `latest` aliases: the newest version of each format, which today is v1. */
export const JSON_LATEST_TYPE = 'application/vnd.pypi.simple.latest+json'
export const HTML_LATEST_TYPE = 'application/vnd.pypi.simple.latest+html'
const ALIASES: Record<string, string[]> = { [JSON_TYPE]: [JSON_LATEST_TYPE], [HTML_V1_TYPE]: [HTML_LATEST_TYPE] }

export type SimpleFormat = typeof JSON_TYPE | typeof HTML_V1_TYPE | typeof LEGACY_HTML_TYPE

/** What to send as Content-Type for each format. */
export const CONTENT_TYPES: Record<SimpleFormat, string> = {
  [JSON_TYPE]: JSON_TYPE,
  [HTML_V1_TYPE]: HTML_V1_TYPE,
  [LEGACY_HTML_TYPE]: 'text/html; charset=utf-8',
}

// When the client names types explicitly and weighs them equally, the richer format wins; when only a
// wildcard matches (browsers, curl), HTML wins, as on pypi.org.
const EXPLICIT_ORDER: SimpleFormat[] = [JSON_TYPE, HTML_V1_TYPE, LEGACY_HTML_TYPE]
const WILDCARD_ORDER: SimpleFormat[] = [LEGACY_HTML_TYPE, HTML_V1_TYPE, JSON_TYPE]

interface Range {
  type: string
  q: number
}

function parseAccept(header: string): Range[] {
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase())
      const qParam = params.find((p) => p.startsWith('q='))
      const q = qParam ? Number(qParam.slice(2)) : 1
      return { type, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 }
    })
    .filter((range) => range.type.length > 0)
}

function matchOf(format: SimpleFormat, ranges: Range[]): { q: number; explicit: boolean } | undefined {
  const names = [format, ...(ALIASES[format] ?? [])]
  const exact = ranges.filter((r) => names.includes(r.type)).sort((a, b) => b.q - a.q)[0]
  if (exact) return { q: exact.q, explicit: true }
  const major = format.split('/')[0]
  const wildcard = ranges.find((r) => r.type === `${major}/*`) ?? ranges.find((r) => r.type === '*/*')
  return wildcard ? { q: wildcard.q, explicit: false } : undefined
}

/** The format to answer with; no Accept header means plain HTML. */
export function negotiateFormat(accept: string | undefined): SimpleFormat {
  if (!accept?.trim()) return LEGACY_HTML_TYPE
  const ranges = parseAccept(accept)
  const candidates = EXPLICIT_ORDER.map((format) => ({ format, match: matchOf(format, ranges) })).filter(
    (c): c is { format: SimpleFormat; match: { q: number; explicit: boolean } } => c.match !== undefined && c.match.q > 0,
  )
  candidates.sort((a, b) => {
    if (b.match.q !== a.match.q) return b.match.q - a.match.q
    if (a.match.explicit !== b.match.explicit) return a.match.explicit ? -1 : 1
    const order = a.match.explicit ? EXPLICIT_ORDER : WILDCARD_ORDER
    return order.indexOf(a.format) - order.indexOf(b.format)
  })
  const best = candidates[0]
  if (!best) {
    throw new LarderError('E_NOT_ACCEPTABLE', `none of the simple API formats is acceptable (Accept: ${accept.slice(0, 200)})`, {
      hint: `ask for ${JSON_TYPE}, ${HTML_V1_TYPE} or ${LEGACY_HTML_TYPE}`,
    })
  }
  return best.format
}
