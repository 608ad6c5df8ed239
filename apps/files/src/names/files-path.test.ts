/** Path parsing below /files: the kinds of URL, the ?sha256= pin, and dot segments as the client sent them. */
import { describe, expect, it } from 'vitest'
import { parseFilesPath } from './files-path.js'
import { readQueryPin } from './query-pin.js'
import { checkRawTarget } from './raw-target.js'

const upstreams = { github: 'https://github.com' }

describe('parseFilesPath', () => {
  it('tells the root, hosted directories and files, and upstream files apart', () => {
    expect(parseFilesPath('', upstreams)).toEqual({ kind: 'root', slash: false })
    expect(parseFilesPath('/', upstreams)).toEqual({ kind: 'root', slash: true })
    expect(parseFilesPath('/builds', upstreams)).toEqual({ kind: 'hosted-dir', repo: 'builds', dir: [], slash: false })
    expect(parseFilesPath('/builds/app/', upstreams)).toEqual({ kind: 'hosted-dir', repo: 'builds', dir: ['app'], slash: true })
    expect(parseFilesPath('/builds/app/app-1.0+b%31.tgz', upstreams)).toEqual({ kind: 'hosted-file', repo: 'builds', path: ['app', 'app-1.0+b1.tgz'] })
    expect(parseFilesPath('/github/o/r/releases/download/v1/x.tgz', upstreams)).toEqual({
      kind: 'remote-file',
      upstream: 'github',
      path: ['o', 'r', 'releases', 'download', 'v1', 'x.tgz'],
    })
    expect(parseFilesPath('/github/o/', upstreams)).toEqual({ kind: 'remote-dir', upstream: 'github', dir: ['o'] })
  })

  it.each(['//', '/builds//x', '/builds/%2e%2e/x', '/builds/a%2fb', '/builds/a%00', '/UP/x', '/builds/%zz'])('refuses %s with E_INVALID_NAME', (raw) => {
    expect(() => parseFilesPath(raw, upstreams)).toThrow(expect.objectContaining({ code: 'E_INVALID_NAME' }))
  })
})

describe('readQueryPin', () => {
  it('takes the sha256 pin out and keeps the rest as sent', () => {
    const pin = 'A'.repeat(64)
    expect(readQueryPin(`http://h/files/x?b=1&sha256=${pin}&c=%20`)).toEqual({ pin: 'a'.repeat(64), rest: 'b=1&c=%20' })
    expect(readQueryPin('http://h/files/x')).toEqual({ pin: undefined, rest: '' })
    expect(() => readQueryPin('http://h/files/x?sha256=123')).toThrow(/is not a sha256/)
  })
})

describe('checkRawTarget', () => {
  it('refuses dot segments as the client sent them, however spelt, and backslashes', () => {
    for (const target of ['/files/a/../b', '/files/a/%2E%2e/b', '/files/a/./b', 'http://h/files/a/.%2e', '/files/a\\b']) {
      expect(() => checkRawTarget(target), target).toThrow(expect.objectContaining({ code: 'E_INVALID_NAME' }))
    }
    expect(() => checkRawTarget('/files/a/..b/.c?x=../..')).not.toThrow()
  })
})
