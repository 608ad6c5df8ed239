/** A strict multipart/form-data reader for uploads already held in memory (they are size-limited before this). */
import { LarderError } from '@larder/core'

export interface FormPart {
  name: string
  /** Set for file parts. */
  filename?: string
  contentType?: string
  data: Buffer
}

export const MAX_PARTS = 200

const bad = (message: string) =>
  new LarderError('E_BAD_REQUEST', `malformed multipart upload: ${message}`, { hint: 'upload with twine, or send multipart/form-data' })

/** The boundary of a multipart/form-data Content-Type, or an E_BAD_REQUEST. */
export function multipartBoundary(contentType: string | undefined): string {
  const [type, ...params] = (contentType ?? '').split(';').map((s) => s.trim())
  if (type?.toLowerCase() !== 'multipart/form-data') throw bad(`expected multipart/form-data, got "${(type ?? '').slice(0, 80)}"`)
  for (const param of params) {
    const eq = param.indexOf('=')
    if (param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue
    const boundary = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
    if (boundary.length >= 1 && boundary.length <= 70) return boundary
  }
  throw bad('the Content-Type has no usable boundary')
}

function headerParam(header: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]+)`, 'i').exec(header)
  const value = match?.[1] ?? match?.[2]
  return value?.replace(/\\(.)/g, '$1')
}

export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`)
  let at = body.indexOf(delimiter)
  if (at < 0) throw bad('the boundary never appears in the body')
  const parts: FormPart[] = []
  for (;;) {
    at += delimiter.length
    if (body.subarray(at, at + 2).toString() === '--') return parts
    if (body.subarray(at, at + 2).toString() !== '\r\n') throw bad('a boundary line is not followed by CRLF')
    at += 2
    const headerEnd = body.indexOf('\r\n\r\n', at)
    if (headerEnd < 0) throw bad('a part has no end of headers')
    const headers = new Map<string, string>()
    for (const line of body.subarray(at, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':')
      if (colon <= 0) throw bad('a part header has no name')
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4)
    if (next < 0) throw bad('the body ends before the closing boundary')
    const disposition = headers.get('content-disposition') ?? ''
    const name = headerParam(disposition, 'name')
    if (!/^form-data\b/i.test(disposition) || name === undefined) throw bad('a part has no form-data name')
    const filename = headerParam(disposition, 'filename')
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      ...(headers.has('content-type') ? { contentType: headers.get('content-type') } : {}),
      data: body.subarray(headerEnd + 4, next),
    })
    if (parts.length > MAX_PARTS) throw bad(`more than ${MAX_PARTS} parts`)
    at = next + 2
  }
}
