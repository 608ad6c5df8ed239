import { describe, expect, it } from 'vitest'
import { LarderError } from '../errors/index.js'
import { rawPathAfter } from './raw-path.js'
import { staleHeaders } from './stale-headers.js'

describe('rawPathAfter', () => {
  it('keeps percent-encoding and drops origin, query and fragment', () => {
    expect(rawPathAfter('http://h:8080/npm/@s%2fn?write=true', '/npm')).toBe('/@s%2fn')
    expect(rawPathAfter('https://h/pypi/simple/x/#frag', '/pypi')).toBe('/simple/x/')
    expect(rawPathAfter('http://h/other/x', '/npm')).toBe('/other/x')
  })
})

describe('staleHeaders', () => {
  it('names the failure only when there was one', () => {
    expect(staleHeaders(undefined)).toEqual({})
    expect(staleHeaders(new LarderError('E_UPSTREAM_TIMEOUT', 'slow'))).toMatchObject({ 'x-larder-stale': 'E_UPSTREAM_TIMEOUT' })
  })
})
