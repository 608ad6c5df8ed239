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

  it('refuses an empty body, binary bytes, a file without its frame and a first or last entry of another shape, naming the line', () => {
    expect(() => checkCompactIndex('versions', '', TEXT, 'v')).toThrow(/empty body/)
    expect(() => checkCompactIndex('info', '\0\x01binary\n', TEXT, 'i')).toThrow(/binary bytes/)
    expect(() => checkCompactIndex('info', '<!DOCTYPE html>\n<html>\n', 'text/html', '/info/x')).toThrow(
      /\/info\/x: .*no `---` line first \(a page of type text\/html\)/,
    )
    expect(() => checkCompactIndex('versions', `rails 7.1.0 ${MD5}\n`, TEXT, 'v')).toThrow(/no `---` line after its header/)
    expect(() => checkCompactIndex('versions', `<html>\n---\nrails 7.1.0 ${MD5}\n`, TEXT, 'v')).toThrow(/line 1 "<html>"/)
    expect(() => checkCompactIndex('versions', `created_at: x\n---\nrails 7.1.0 nomd5\n`, TEXT, 'v')).toThrow(/line 3 "rails 7.1.0 nomd5"/)
    expect(() => checkCompactIndex('names', '---\nrails\nhas space\n', TEXT, 'n')).toThrow(/line 3 "has space"/)
  })

  it('lets an odd entry in the middle pass, as bundler skips it', () => {
    expect(() => checkCompactIndex('versions', `created_at: x\n---\nrails 7.1.0 ${MD5}\nodd+name 1.0 ${MD5}\nrack 3.0.0 ${MD5}\n`, TEXT, 'v')).not.toThrow()
  })
})
