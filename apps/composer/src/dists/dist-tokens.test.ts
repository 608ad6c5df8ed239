import { describe, expect, it } from 'vitest'
import { distRequestHeaders, parseDistTokens } from './dist-tokens.js'

describe('dist tokens', () => {
  it('sends a token only to its host', () => {
    const tokens = parseDistTokens('api.github.com=ghp_abc, 127.0.0.1:8081=local-1')
    expect(distRequestHeaders(tokens, 'https://api.github.com/repos/a/b/zipball/x')).toEqual({ authorization: 'Bearer ghp_abc' })
    expect(distRequestHeaders(tokens, 'http://127.0.0.1:8081/z')).toEqual({ authorization: 'Bearer local-1' })
    expect(distRequestHeaders(tokens, 'http://127.0.0.1:9999/z')).toEqual({})
    expect(distRequestHeaders(tokens, 'https://codeload.github.com/a')).toEqual({})
    expect(parseDistTokens(undefined).size).toBe(0)
  })

  it('names the variable when an item is malformed', () => {
    expect(() => parseDistTokens('nohost')).toThrow(/LARDER_COMPOSER_DIST_TOKENS/)
    expect(() => parseDistTokens('a.com=')).toThrow(/host=token/)
    expect(() => parseDistTokens('a b=x')).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTION' }))
  })
})
