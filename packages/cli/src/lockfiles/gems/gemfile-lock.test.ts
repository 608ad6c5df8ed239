/** Gemfile.lock of Bundler 2.5 (CHECKSUMS) and older read into gems, /info and /versions. */
import { describe, expect, it } from 'vitest'
import { readGemfileLock } from './gemfile-lock.js'

const RACK = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const NOKOGIRI = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

// As Bundler 2.5 writes it with lockfile_checksums (bundle lock --add-checksums): GEM, GIT and PATH sources, platforms, CHECKSUMS.
const BUNDLER_25 = `GIT
  remote: https://github.com/acme/tool.git
  revision: 0123456789abcdef0123456789abcdef01234567
  specs:
    tool (0.1.0)

PATH
  remote: .
  specs:
    app (1.0.0)
      rack (~> 3.0)

GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.15.4-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.1)
    rack (3.0.8)

PLATFORMS
  ruby
  x86_64-linux

DEPENDENCIES
  app!
  nokogiri
  tool!

CHECKSUMS
  app (1.0.0)
  nokogiri (1.15.4-x86_64-linux) sha256=${NOKOGIRI}
  racc (1.7.1)
  rack (3.0.8) sha256=${RACK}

BUNDLED WITH
   2.5.3
`

describe('Gemfile.lock', () => {
  it('reads GEM specs with platforms, their CHECKSUMS, the compact index documents; GIT refused, PATH skipped', () => {
    const lock = readGemfileLock('Gemfile.lock', BUNDLER_25)
    expect(lock.format).toBe('Gemfile.lock (with CHECKSUMS)')
    expect(lock.skipped).toBe(1)
    const byName = Object.fromEntries(lock.items.map((item) => [item.name, item]))
    expect(byName.tool!.problem).toMatch(/from a GIT source \(https:\/\/github.com\/acme\/tool.git\)/)
    expect(byName.nokogiri).toMatchObject({
      version: '1.15.4-x86_64-linux',
      source: 'Gemfile.lock:16',
      indexes: [{ path: '/gems/versions' }, { path: '/gems/info/nokogiri' }],
      artifacts: [{ path: '/gems/gems/nokogiri-1.15.4-x86_64-linux.gem', expected: { sha256: NOKOGIRI } }],
    })
    expect(byName.rack!.artifacts).toEqual([{ path: '/gems/gems/rack-3.0.8.gem', expected: { sha256: RACK } }])
    // Listed in CHECKSUMS without a digest (as Bundler does for gems it could not hash): presence only.
    expect(byName.racc!.artifacts).toEqual([{ path: '/gems/gems/racc-1.7.1.gem', expected: {} }])
    expect(lock.items.map((i) => i.name).sort()).toEqual(['nokogiri', 'racc', 'rack', 'tool'])
  })

  it('reads a lockfile of Bundler before 2.5 (no CHECKSUMS), its dependency lines left out', () => {
    const old = BUNDLER_25.replace(/CHECKSUMS[\s\S]*?\n\n/, '')
    const lock = readGemfileLock('Gemfile.lock', old)
    expect(lock.format).toBe('Gemfile.lock')
    expect(lock.items.find((i) => i.name === 'rack')!.artifacts[0]!.expected).toEqual({})
    expect(lock.items.some((i) => i.name === 'racc' && i.source === 'Gemfile.lock:18')).toBe(true)
  })

  it('refuses text that has no GEM section', () => {
    expect(() => readGemfileLock('Gemfile.lock', 'hello\n')).toThrow(/not a Gemfile.lock/)
  })
})
