import { describe, expect, it } from 'vitest'
import { framingRefusal } from './request-framing.js'

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
