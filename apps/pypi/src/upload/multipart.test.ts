import { describe, expect, it } from 'vitest'
import { multipartBoundary, parseMultipart } from './multipart.js'

const body = (parts: string) => Buffer.from(parts.replace(/\n/g, '\r\n'))

describe('multipart', () => {
  it('reads fields and a binary file part', () => {
    const file = Buffer.from([0, 13, 10, 45, 45, 255])
    const data = Buffer.concat([
      body('--b1\nContent-Disposition: form-data; name=":action"\n\nfile_upload\n--b1\nContent-Disposition: form-data; name="content"; filename="a-1.0.tar.gz"\nContent-Type: application/octet-stream\n\n'),
      file,
      body('\n--b1--\n'),
    ])
    const parts = parseMultipart(data, multipartBoundary('multipart/form-data; boundary="b1"'))
    expect(parts.map((p) => [p.name, p.filename])).toEqual([[':action', undefined], ['content', 'a-1.0.tar.gz']])
    expect(parts[0]!.data.toString()).toBe('file_upload')
    expect(parts[1]!.data.equals(file)).toBe(true)
  })

  it('refuses malformed bodies and content types with E_BAD_REQUEST', () => {
    const bad = expect.objectContaining({ code: 'E_BAD_REQUEST' })
    expect(() => multipartBoundary('text/plain')).toThrow(bad)
    expect(() => multipartBoundary('multipart/form-data')).toThrow(bad)
    expect(() => parseMultipart(body('nothing here'), 'b1')).toThrow(bad)
    expect(() => parseMultipart(body('--b1\nContent-Disposition: form-data; name="x"\n\nunterminated'), 'b1')).toThrow(bad)
    expect(() => parseMultipart(body('--b1\nContent-Disposition: attachment\n\nx\n--b1--'), 'b1')).toThrow(bad)
  })
})
