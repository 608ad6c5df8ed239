/** LARDER_FILES_UPSTREAMS: the default, "none", and errors that name the variable. */
import { describe, expect, it } from 'vitest'
import { readFilesSettings } from './files-settings.js'

describe('readFilesSettings (LARDER_FILES_UPSTREAMS)', () => {
  it('defaults to GitHub and nodejs.org/dist; "none" turns remote files off', () => {
    expect(readFilesSettings({}).upstreams).toEqual({ github: 'https://github.com', nodejs: 'https://nodejs.org/dist' })
    expect(readFilesSettings({ LARDER_FILES_UPSTREAMS: '  ' }).upstreams).toHaveProperty('github')
    expect(readFilesSettings({ LARDER_FILES_UPSTREAMS: 'none' }).upstreams).toEqual({})
  })

  it('reads name=url pairs without trailing slashes', () => {
    expect(readFilesSettings({ LARDER_FILES_UPSTREAMS: 'tools=https://example.com/downloads/, go=https://go.dev/dl' }).upstreams).toEqual({
      tools: 'https://example.com/downloads',
      go: 'https://go.dev/dl',
    })
  })

  it.each([
    ['Tools=https://x', /LARDER_FILES_UPSTREAMS: "Tools=https:\/\/x" must look like name=url/],
    ['tools', /LARDER_FILES_UPSTREAMS: "tools" must look like name=url/],
    ['tools=ftp://x', /LARDER_FILES_UPSTREAMS \(tools\) must be an http\(s\) URL/],
    ['tools=https://x/?a=1', /LARDER_FILES_UPSTREAMS \(tools\): "https:\/\/x\/\?a=1" must be a base URL without \? or #/],
  ])('refuses %s, naming the variable', (value, message) => {
    expect(() => readFilesSettings({ LARDER_FILES_UPSTREAMS: value })).toThrow(message)
  })
})
