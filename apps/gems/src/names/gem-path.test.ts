import { describe, expect, it } from 'vitest'
import { parseGemPath, stemCandidates } from './gem-path.js'

describe('parseGemPath', () => {
  it('recognises every endpoint', () => {
    expect(parseGemPath('/versions')).toEqual({ kind: 'versions' })
    expect(parseGemPath('/info/rack-test')).toEqual({ kind: 'info', name: 'rack-test' })
    expect(parseGemPath('/specs.4.8.gz')).toEqual({ kind: 'legacy-specs', file: 'specs.4.8.gz' })
    expect(parseGemPath('/quick/Marshal.4.8/rack-3.0.0.gemspec.rz')).toEqual({ kind: 'quick-spec', stem: 'rack-3.0.0' })
    expect(parseGemPath('/gems/nokogiri-1.16.0-x86_64-linux.gem')).toEqual({ kind: 'gem', filename: 'nokogiri-1.16.0-x86_64-linux.gem' })
    expect(parseGemPath('/api/v1/gems/yank')).toEqual({ kind: 'yank' })
  })

  it('refuses traversal, encoded separators and bad names with 400', () => {
    for (const path of ['/info/..%2f..%2fetc', '/gems/%2e%2e', '/info/-rf', '/gems/..%2Fsecret.gem', '/info/a%00b', '/gems/a..b-1.gem']) {
      expect(() => parseGemPath(path), path).toThrow(expect.objectContaining({ status: 400 }))
    }
    expect(() => parseGemPath('/nope')).toThrow(expect.objectContaining({ status: 404 }))
  })
})

describe('stemCandidates', () => {
  it('splits at every dash followed by a digit', () => {
    expect(stemCandidates('net-http-0.4.1')).toEqual([{ name: 'net-http', number: '0.4.1' }])
    expect(stemCandidates('a-1-2.0-java')).toEqual([
      { name: 'a', number: '1-2.0-java' },
      { name: 'a-1', number: '2.0-java' },
    ])
  })
})
