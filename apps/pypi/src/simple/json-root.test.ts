import { describe, expect, it } from 'vitest'
import { readJsonRoot } from './json-root.js'
import type { NameSink } from './root-listing.js'

function collectNames(): NameSink & { names: string[] } {
  const names: string[] = []
  return {
    names,
    add: (more) => names.push(...more),
    clear: () => {
      names.length = 0
    },
  }
}

/** What one JSON.parse of the whole page gives, the reading the streaming one must match. */
function wholeParse(text: string): string[] {
  const doc = JSON.parse(text)
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Array.isArray(doc.projects)) throw new Error('not a root page')
  return doc.projects.flatMap((p: any) => (typeof p === 'object' && p !== null && !Array.isArray(p) && typeof p.name === 'string' ? [p.name] : []))
}

async function read(chunks: Iterable<string>): Promise<string[]> {
  const sink = collectNames()
  await readJsonRoot(chunks, sink, 'root')
  return sink.names
}

const PAGE = `{"meta": {"api-version": "1.1", "_last-serial": 123, "x": [1, {"}": "]"}]},
  "projects": [{"name": "zope.interface", "_last-serial": 9}, {"_last-serial": 1}, "stray", 3, null, {"name": "q\\"uote\\\\"},
    {"name": "a\\u00e9b", "nested": {"name": "not this"}}, {"name": "last"}] , "after": true }  `

describe('readJsonRoot', () => {
  it('lists what JSON.parse of the whole page lists, however the page is cut into chunks', async () => {
    const expected = wholeParse(PAGE)
    expect(expected).toEqual(['zope.interface', 'q"uote\\', 'a\u00e9b', 'last'])
    expect(await read([PAGE])).toEqual(expected)
    for (let at = 1; at < PAGE.length; at++) expect(await read([PAGE.slice(0, at), PAGE.slice(at)]), `split at ${at}`).toEqual(expected)
    expect(await read(PAGE)).toEqual(expected)
  })

  it('takes the last of repeated projects keys, as JSON.parse does', async () => {
    expect(await read(['{"projects": [{"name": "a"}], "projects": [{"name": "b"}]}'])).toEqual(['b'])
    await expect(read(['{"projects": [{"name": "a"}], "projects": 5}'])).rejects.toThrow('not a PEP 691 root page')
    expect(await read(['{"projects": 5, "projects": []}'])).toEqual([])
    expect(await read(['{"proj\\u0065cts": [{"name": "escaped key"}]}'])).toEqual(['escaped key'])
  })

  it('refuses whatever JSON.parse refuses, and JSON that is no root page', async () => {
    const refused = [
      '',
      '[]',
      '{}',
      '{"projects": {}}',
      '\uFEFF{"projects": []}',
      '{"projects": [{"name": "a"}]',
      '{"projects": [{"name": "a"},]}',
      '{"projects": [,{"name": "a"}]}',
      '{"projects": [{"name": "a"} {"name": "b"}]}',
      '{"projects": [1 2]}',
      '{"projects": [tru]}',
      '{"meta": {"a": 1,}, "projects": []}',
      '{"meta": 01, "projects": []}',
      '{"projects": []} x',
      '{"projects": [], }',
      "{'projects': []}",
      '{"proj\nects": []}',
      '{"projects" []}',
    ]
    for (const text of refused) {
      expect(() => wholeParse(text), text).toThrow()
      await expect(read([text]), text).rejects.toThrow()
    }
  })

  it('reads a large page in many chunks', async () => {
    const names = Array.from({ length: 50_000 }, (_, i) => `project-${i}`)
    const text = JSON.stringify({ meta: { 'api-version': '1.1' }, projects: names.map((name) => ({ name, '_last-serial': 1 })) })
    const chunks = Array.from({ length: Math.ceil(text.length / 4096) }, (_, i) => text.slice(i * 4096, (i + 1) * 4096))
    expect(await read(chunks)).toEqual(names)
  })
})
