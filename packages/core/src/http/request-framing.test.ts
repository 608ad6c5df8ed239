import { describe, expect, it } from 'vitest'
import { dotSegmentRefusal, framingRefusal } from './request-framing.js'

describe('framingRefusal', () => {
  it('takes one Host and chunked, in any case', () => {
    expect(framingRefusal(['Host', 'a', 'Transfer-Encoding', 'Chunked'])).toBeUndefined()
    expect(framingRefusal(['host', 'a', 'content-length', '3'])).toBeUndefined()
  })

  it('refuses a second Host with a 400', () => {
    expect(framingRefusal(['Host', 'a', 'X', '1', 'HOST', 'b'])).toMatchObject({ code: 'E_BAD_REQUEST', status: 400 })
  })

  it.each(['gzip, chunked', 'deflate', 'chunked, chunked, br'])('refuses the transfer coding "%s" with a 501', (coding) => {
    expect(framingRefusal(['host', 'a', 'transfer-encoding', coding])).toMatchObject({ code: 'E_NOT_IMPLEMENTED', status: 501 })
  })
})

describe('dotSegmentRefusal', () => {
  it.each(['/npm/foo/%2e%2e', '/npm/%2E%2e/healthz', '/gems/info/..', '/pypi/simple/./x/', '/a/.%2e/b?x=1', '/..'])('refuses %s', (target) => {
    expect(dotSegmentRefusal(target)).toMatchObject({ code: 'E_INVALID_NAME', status: 400 })
  })

  it.each(['/npm/lodash', '/npm/a..b', '/files/x/v1.2/...tar', '/npm/foo?next=/../x', '/pypi/simple/.hidden/'])('takes %s', (target) => {
    expect(dotSegmentRefusal(target)).toBeUndefined()
  })
})
