import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../process/run.js'
import { md5Hex } from './compact-index-render.js'
import { buildGem, type BuiltGem } from './gem-build.js'
import { startGemsUpstreamFixture, type GemsUpstreamFixture } from './gems-upstream-fixture.js'

let base: BuiltGem
let top: BuiltGem
let fixture: GemsUpstreamFixture

beforeAll(async () => {
  base = await buildGem({ name: 'kit-base', version: '1.0.0' })
  top = await buildGem({ name: 'kit-top', version: '2.0.0', dependencies: { 'kit-base': ['~> 1.0'] }, requiredRubyVersion: '>= 2.5' })
  fixture = await startGemsUpstreamFixture({ gems: [base, top] })
}, 120_000)

afterAll(async () => {
  await fixture?.stop()
})

const text = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${fixture.url}${path}`, init)
  return { res, body: await res.text() }
}

describe('buildGem', () => {
  it('builds a real .gem (a tar with metadata.gz, data.tar.gz, checksums.yaml.gz) and its quick spec', async () => {
    const listing = await run('tar', ['-t'], { input: top.bytes })
    expect(listing.stdout.split('\n').filter(Boolean).sort()).toEqual(['checksums.yaml.gz', 'data.tar.gz', 'metadata.gz'])
    const spec = await run(
      'ruby',
      ['-e', 'require "zlib"; s = Marshal.load(Zlib::Inflate.inflate(STDIN.read)); print s.full_name, " ", s.dependencies.map(&:to_s).join(",")'],
      {
        input: top.quickSpec,
      },
    )
    expect(spec.stdout).toBe('kit-top-2.0.0 kit-base (~> 1.0)')
  })
})

describe('gems upstream fixture', () => {
  it('lists each gem in /versions with the MD5 of its /info body', async () => {
    const { body: versions } = await text('/versions')
    const { body: info } = await text('/info/kit-top')
    expect(info).toBe(`---\n2.0.0 kit-base:~> 1.0|checksum:${top.sha256},ruby:>= 2.5\n`)
    expect(versions.split('\n')).toContain(`kit-top 2.0.0 ${md5Hex(info)}`)
    expect((await text('/names')).body).toBe('---\nkit-base\nkit-top\n')
  })

  it('answers If-None-Match with 304 and a suffix Range with 206', async () => {
    const { res, body } = await text('/info/kit-base')
    expect((await fetch(`${fixture.url}/info/kit-base`, { headers: { 'if-none-match': res.headers.get('etag')! } })).status).toBe(304)
    const partial = await text('/info/kit-base', { headers: { range: 'bytes=4-' } })
    expect(partial.res.status).toBe(206)
    expect(partial.body).toBe(body.slice(4))
  })

  it('serves legacy specs Ruby can load, and grows /info when a version is published', async () => {
    const specs = gunzipSync(Buffer.from(await (await fetch(`${fixture.url}/specs.4.8.gz`)).arrayBuffer()))
    const loaded = await run('ruby', ['-e', 'print Marshal.load(STDIN.read).map { |n, v, p| "#{n}-#{v}-#{p}" }.join(",")'], { input: specs })
    expect(loaded.stdout).toBe('kit-base-1.0.0-ruby,kit-top-2.0.0-ruby')
    const before = (await text('/versions')).body
    await fixture.publish(await buildGem({ name: 'kit-base', version: '1.1.0' }))
    expect(fixture.info('kit-base')).toMatch(/^---\n1\.0\.0 \|checksum:[0-9a-f]{64}\n1\.1\.0 \|checksum:[0-9a-f]{64}\n$/)
    // Like rubygems.org, a release appends a line: the old file is a prefix and bundler's Range append works.
    const after = (await text('/versions')).body
    expect(after).toBe(`${before}kit-base 1.1.0 ${md5Hex(fixture.info('kit-base')!)}\n`)
    const appended = await text('/versions', { headers: { range: `bytes=${before.length - 1}-` } })
    expect(appended.res.status).toBe(206)
    expect(appended.body).toBe(after.slice(before.length - 1))
  })
})
