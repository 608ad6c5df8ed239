import { describe, expect, it } from 'vitest'
import { lastInfoMd5s } from './versions-file.js'
import { VersionsLog } from './versions-log.js'

const HEADER = 'created_at: 2024-01-01T00:00:00Z\n---\n'
const UPSTREAM = `${HEADER}rack 1.0.0,2.0.0 aaa\nmine 0.1.0 bbb\nthor 1.0.0 ccc\n`
const none = { privateNames: new Set<string>(), privateLines: [] }

describe('VersionsLog', () => {
  it('serves upstream untouched when there is nothing to change', () => {
    const log = VersionsLog.start({ upstream: UPSTREAM, ...none })
    log.correct(new Map([['rack', 'aaa']]))
    expect(log.text).toBe(UPSTREAM)
  })

  it('puts private lines right after ---, drops privately owned names, and appends md5 corrections', () => {
    const log = VersionsLog.start({ upstream: UPSTREAM, privateNames: new Set(['mine']), privateLines: ['mine 9.0.0 eee'] })
    log.correct(
      new Map([
        ['rack', 'fff'],
        ['mine', 'zzz'],
        ['unlisted', 'yyy'],
      ]),
    )
    expect(log.text).toBe(`${HEADER}mine 9.0.0 eee\nrack 1.0.0,2.0.0 aaa\nthor 1.0.0 ccc\nrack 2.0.0 fff\n`)
    expect(Object.fromEntries(lastInfoMd5s(log.text))).toEqual({ rack: 'fff', thor: 'ccc', mine: 'eee' })
  })

  it('only grows: upstream appends and md5 corrections (and their reversal) are appended', () => {
    const log = VersionsLog.start({ upstream: UPSTREAM, ...none })
    const held = new Map([['rack', 'aaa']])
    log.correct(held)
    const first = log.text
    // Upstream releases rack 2.1.0; Larder still holds the old /info, so the log names its md5.
    expect(log.extend(`${UPSTREAM}rack 2.1.0 ddd\n`)).toBe(true)
    log.correct(held)
    const second = log.text
    expect(second).toBe(`${first}rack 2.1.0 ddd\nrack 2.1.0 aaa\n`)
    expect(log.lastMd5('rack')).toBe('aaa')
    // The /info is brought up to date: one more line, and the new md5 counts.
    held.set('rack', 'ddd')
    log.correct(held)
    expect(log.text).toBe(`${second}rack 2.1.0 ddd\n`)
    expect(lastInfoMd5s(log.text).get('rack')).toBe('ddd')
    const generation = log.generation
    log.correct(held)
    expect(log.generation).toBe(generation)
  })

  it('waits for a line upstream has not finished, and refuses an upstream that rewrote its file', () => {
    const log = VersionsLog.start({ upstream: UPSTREAM, ...none })
    expect(log.extend(`${UPSTREAM}rack 2.1`)).toBe(true)
    expect(log.text).toBe(UPSTREAM)
    expect(log.extend(`${UPSTREAM}rack 2.1.0 ddd\n`)).toBe(true)
    expect(log.text).toBe(`${UPSTREAM}rack 2.1.0 ddd\n`)
    expect(log.extend(UPSTREAM.replace('aaa', 'AAA'))).toBe(false)
    expect(log.extend(HEADER)).toBe(false)
  })

  it('stands alone without an upstream copy', () => {
    const log = VersionsLog.start({ upstream: undefined, privateNames: new Set(['a']), privateLines: ['a 1.0 x'] })
    expect(log.text).toBe('created_at: 1970-01-01T00:00:00Z\n---\na 1.0 x\n')
    expect(log.extend(UPSTREAM)).toBe(false)
  })
})
