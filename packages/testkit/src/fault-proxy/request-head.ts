/** Parses one HTTP/1.x request head off the front of the bytes a raw socket has received. */

export const MAX_REQUEST_HEAD_BYTES = 64 * 1024

export interface RequestHead {
  method: string
  /** The request target as sent: path plus query. */
  path: string
  /** 'HTTP/1.1' or 'HTTP/1.0'. */
  version: string
  /** Raw name/value pairs in the order received, names as sent. */
  headers: Array<[string, string]>
  /** Whether the client asked to close after this exchange. */
  wantsClose: boolean
  /** Whether a body follows the head (the proxy forwards none). */
  hasBody: boolean
}

export type ParsedHead = { kind: 'incomplete' } | { kind: 'invalid'; reason: string } | { kind: 'head'; head: RequestHead; rest: Buffer }

const TERMINATOR = Buffer.from('\r\n\r\n')
/** Origin-form targets only: a path of printable ASCII (what node:http will forward). */
const REQUEST_LINE = /^([A-Z]+) (\/[\x21-\x7e]*) (HTTP\/1\.[01])$/

export function parseRequestHead(buffered: Buffer): ParsedHead {
  const end = buffered.indexOf(TERMINATOR)
  if (end < 0) {
    return buffered.length > MAX_REQUEST_HEAD_BYTES ? { kind: 'invalid', reason: 'request head too large' } : { kind: 'incomplete' }
  }
  const lines = buffered.subarray(0, end).toString('latin1').split('\r\n')
  const match = REQUEST_LINE.exec(lines[0] ?? '')
  if (!match) return { kind: 'invalid', reason: `bad request line ${JSON.stringify(lines[0])}` }
  const headers: Array<[string, string]> = []
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon <= 0) return { kind: 'invalid', reason: `bad header line ${JSON.stringify(line)}` }
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()])
  }
  const value = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1]
  const version = match[3]!
  const connection = (value('connection') ?? '').toLowerCase()
  const wantsClose = connection.includes('close') || (version === 'HTTP/1.0' && !connection.includes('keep-alive'))
  const hasBody = Number(value('content-length') ?? 0) > 0 || value('transfer-encoding') !== undefined
  return {
    kind: 'head',
    head: { method: match[1]!, path: match[2]!, version, headers, wantsClose, hasBody },
    rest: buffered.subarray(end + TERMINATOR.length),
  }
}
