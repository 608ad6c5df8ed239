import { describe, expect, it } from 'vitest'
import { composeNames, lastInfoMd5s } from './versions-file.js'

const UPSTREAM = 'created_at: 2024-01-01T00:00:00Z\n---\nrack 1.0.0,2.0.0 aaa\nmine 0.1.0 bbb\nthor 1.0.0 ccc\nrack 2.1.0 ddd\n'

describe('lastInfoMd5s', () => {
  it('takes the md5 on the last line of each gem', () => {
    expect(Object.fromEntries(lastInfoMd5s(UPSTREAM))).toEqual({ rack: 'ddd', mine: 'bbb', thor: 'ccc' })
  })
})

describe('composeNames', () => {
  it('merges and sorts', () => {
    expect(composeNames('---\nb\nd\n', ['c', 'b'])).toBe('---\nb\nc\nd\n')
  })
})
