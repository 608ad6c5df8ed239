import { describe, expect, it } from 'vitest'
import { checkCompactIndex } from './index-shape.js'

const MD5 = '0123456789abcdef0123456789abcdef'
const TEXT = 'text/plain; charset=utf-8'

describe('compact index shape', () => {
  it('accepts the files as rubygems.org writes them, a line still being written included', () => {
    const versions = `created_at: 2024-04-01T00:00:05Z\n---\nrails 7.1.0,-7.1.1,7.1.2 ${MD5}\nnokogiri 1.16.0-x86_64-linux,1.16.0 ${MD5}\nhalf-writ`
    expect(() => checkCompactIndex('versions', versions, TEXT, 'v')).not.toThrow()
    const info = `---\n1.0.0 |checksum:${'a'.repeat(64)}\n1.16.0-x86_64-linux racc:~> 1.4,mini_portile2:>= 2.8.2&< 3|checksum:${'b'.repeat(64)},ruby:>= 3.0, < 3.4.dev\n`
    expect(() => checkCompactIndex('info', info, TEXT, 'i')).not.toThrow()
    expect(() => checkCompactIndex('names', '---\n-\nrails\nnet-http_2.0\n', undefined, 'n')).not.toThrow()
  })

  it('refuses a page, an empty body, a /versions without its header and a line of another shape, naming the line', () => {
    expect(() => checkCompactIndex('info', '---\n1.0.0 |\n', 'text/html; charset=utf-8', '/info/x')).toThrow(/\/info\/x: .*page of type text\/html/)
    expect(() => checkCompactIndex('versions', '', TEXT, 'v')).toThrow(/empty body/)
    expect(() => checkCompactIndex('versions', `rails 7.1.0 ${MD5}\n`, TEXT, 'v')).toThrow(/without its `---` line/)
    expect(() => checkCompactIndex('versions', `created_at: x\n---\nrails 7.1.0 nomd5\n`, TEXT, 'v')).toThrow(/line 3 "rails 7.1.0 nomd5"/)
    expect(() => checkCompactIndex('info', '<!DOCTYPE html>\n<html>\n', TEXT, 'i')).toThrow(/line 1 "<!DOCTYPE html>"/)
    expect(() => checkCompactIndex('names', '---\nhas space\n', TEXT, 'n')).toThrow(/E_UPSTREAM_GARBAGE|line 2/)
    expect(() => checkCompactIndex('info', '\0\x01binary', TEXT, 'i')).toThrow(/line 1 "\?\?binary"/)
  })
})
