import { describe, expect, it } from 'vitest'
import { composeNames, composeVersions, lastInfoMd5s } from './versions-file.js'

const UPSTREAM = 'created_at: 2024-01-01T00:00:00Z\n---\nrack 1.0.0,2.0.0 aaa\nmine 0.1.0 bbb\nthor 1.0.0 ccc\nrack 2.1.0 ddd\n'

describe('lastInfoMd5s', () => {
  it('takes the md5 on the last line of each gem', () => {
    expect(Object.fromEntries(lastInfoMd5s(UPSTREAM))).toEqual({ rack: 'ddd', mine: 'bbb', thor: 'ccc' })
  })
})

describe('composeVersions', () => {
  it('serves upstream untouched when there is nothing to change', () => {
    expect(composeVersions({ upstream: UPSTREAM, md5Overrides: new Map(), privateNames: new Set(), privateLines: [] })).toBe(UPSTREAM)
  })

  it('rewrites md5s, drops privately owned names and appends private lines', () => {
    const composed = composeVersions({
      upstream: UPSTREAM,
      md5Overrides: new Map([['rack', 'fff']]),
      privateNames: new Set(['mine']),
      privateLines: ['mine 9.0.0 eee'],
    })
    expect(composed).toBe('created_at: 2024-01-01T00:00:00Z\n---\nrack 1.0.0,2.0.0 fff\nthor 1.0.0 ccc\nrack 2.1.0 fff\nmine 9.0.0 eee\n')
    expect(Object.fromEntries(lastInfoMd5s(composed))).toEqual({ rack: 'fff', thor: 'ccc', mine: 'eee' })
  })

  it('stands alone without an upstream copy', () => {
    expect(composeVersions({ upstream: undefined, md5Overrides: new Map(), privateNames: new Set(['a']), privateLines: ['a 1.0 x'] })).toBe(
      'created_at: 1970-01-01T00:00:00Z\n---\na 1.0 x\n',
    )
  })
})

describe('composeNames', () => {
  it('merges and sorts', () => {
    expect(composeNames('---\nb\nd\n', ['c', 'b'])).toBe('---\nb\nc\nd\n')
  })
})
