import { Readable } from 'node:stream'
import { readAll } from '@larder/core'
import { describe, expect, it } from 'vitest'
import { HTML_V1_TYPE as HTML_TYPE, JSON_TYPE } from './negotiate.js'
import { renderRoot } from './root-index.js'
import { ListingLines } from './root-listing.js'

/** The stored listing, cut into chunks that split names, as a file read hands them over. */
function storedListing(names: string[], chunkSize: number): Readable {
  const lines = new ListingLines()
  lines.add(names)
  const body = lines.body().toString('utf8')
  const chunks: string[] = []
  for (let i = 0; i < body.length; i += chunkSize) chunks.push(body.slice(i, i + chunkSize))
  return Readable.from(chunks.map((chunk) => Buffer.from(chunk)))
}

describe('the /simple/ root', () => {
  const upstream = Array.from({ length: 5000 }, (_, i) => `pkg_${i}`)

  it('stores each project once, by normalised name, keeping the first spelling', () => {
    const lines = new ListingLines()
    lines.add(['Foo.Bar', 'foo-bar', 'baz'])
    lines.add(['FOO_BAR', 'qux'])
    expect(lines.body().toString()).toBe('Foo.Bar\nbaz\nqux')
  })

  for (const chunkSize of [7, 4096]) {
    it(`lists private projects first, then the upstream's without those they shadow (${chunkSize}-byte reads)`, async () => {
      const json = JSON.parse(
        (
          await readAll(renderRoot({ names: ['mine', 'PKG.3'], upstream: storedListing(upstream, chunkSize), result: 'HIT' }, JSON_TYPE, 'http://l/pypi'))
        ).toString(),
      )
      const names = json.projects.map((p: { name: string }) => p.name)
      expect(names.slice(0, 2)).toEqual(['mine', 'PKG.3'])
      expect(names).not.toContain('pkg_3')
      expect(names).toHaveLength(upstream.length + 1)
      expect(new Set(names).size).toBe(names.length)
      const html = (
        await readAll(renderRoot({ names: [], upstream: storedListing(upstream, chunkSize), result: 'HIT' }, HTML_TYPE, 'http://l/pypi'))
      ).toString()
      expect(html.match(/<a href=/g)).toHaveLength(upstream.length)
      expect(html).toContain('<a href="http://l/pypi/simple/pkg-4999/">pkg_4999</a>')
    })
  }

  it('renders private projects alone when there is no upstream listing', async () => {
    const json = JSON.parse((await readAll(renderRoot({ names: ['mine'], upstream: undefined, result: 'PRIVATE' }, JSON_TYPE, 'http://l/pypi'))).toString())
    expect(json).toEqual({ meta: { 'api-version': '1.0' }, projects: [{ name: 'mine' }] })
  })
})
