/** Larder's own `?sha256=<hex>` pin, taken out of a request's query; the rest of the query is the upstream's, kept as sent. */
import { LarderError } from '@larder/core'
import { preview } from './path-segments.js'

export const PIN_PARAM = 'sha256'
export const MAX_QUERY_CHARS = 2048

export interface QueryPin {
  /** Lowercase hex, when the URL pins the file. */
  pin: string | undefined
  /** The query without the pin, still encoded and in its order ('' when none): part of the remote file's identity. */
  rest: string
}

/** `url` is the request URL; a fragment never reaches a server, so everything after '?' is the query. */
export function readQueryPin(url: string): QueryPin {
  const mark = url.indexOf('?')
  const query = mark === -1 ? '' : url.slice(mark + 1)
  if (query.length > MAX_QUERY_CHARS) throw new LarderError('E_BAD_REQUEST', `the query string is over ${MAX_QUERY_CHARS} characters`)
  if (/[\x00-\x20\x7f]/.test(query)) throw new LarderError('E_BAD_REQUEST', 'the query string holds a control character or a space')
  const pins: string[] = []
  const kept: string[] = []
  for (const item of query.split('&')) {
    if (item === '') continue
    const eq = item.indexOf('=')
    const name = eq === -1 ? item : item.slice(0, eq)
    if (safeDecode(name) === PIN_PARAM) pins.push(safeDecode(eq === -1 ? '' : item.slice(eq + 1)))
    else kept.push(item)
  }
  if (pins.length > 1) throw new LarderError('E_BAD_REQUEST', 'the URL has more than one ?sha256= pin')
  const pin = pins[0]?.toLowerCase()
  if (pin !== undefined && !/^[0-9a-f]{64}$/.test(pin)) {
    throw new LarderError('E_BAD_REQUEST', `?sha256=${preview(pins[0]!)} is not a sha256`, { hint: 'the pin is 64 hex digits, as sha256sum prints them' })
  }
  return { pin, rest: kept.join('&') }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    throw new LarderError('E_BAD_REQUEST', `the query string holds "${preview(text)}", which is not valid percent-encoded UTF-8`)
  }
}
