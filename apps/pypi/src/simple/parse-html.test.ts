import { describe, expect, it } from 'vitest'
import { parseHtmlPage, readHtmlRoot } from './parse-html.js'
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

const sha = (c: string) => c.repeat(64)

describe('parseHtmlPage on what is no index page', () => {
  it.each([
    ['a login page', '<html><body><h1>Welcome to our proxy</h1><a href="/login">log in</a></body></html>'],
    ['an empty body', ''],
    ['binary junk', '\u001f\u008b\u0008\u0000junk'],
  ])('refuses %s as upstream garbage', (_what, html) => {
    expect(() => parseHtmlPage(html, 'https://pypi.example/simple/x/')).toThrow(expect.objectContaining({ code: 'E_UPSTREAM_GARBAGE' }))
  })

  it("takes PyPI's page of a project with no files, which says its version", () => {
    const html =
      '<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.1"><title>Links for x</title></head><body><h1>Links for x</h1></body></html>'
    expect(parseHtmlPage(html, 'https://pypi.org/simple/x/')).toEqual([])
  })
})

describe('parseHtmlPage on the pages real indexes serve', () => {
  it('reads a pypi.org page: PEP 629 version, sha256 fragments, entity-decoded requires-python, PEP 592 reasons, both PEP 714 names', () => {
    const html = `<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.1">
    <title>Links for requests</title>
  </head>
  <body>
    <h1>Links for requests</h1>
    <a href="https://files.pythonhosted.org/packages/ba/bb/dfa0/requests-0.2.0.tar.gz#sha256=${sha('1')}" >requests-0.2.0.tar.gz</a><br />
    <a href="https://files.pythonhosted.org/packages/f9/9b/335f/requests-2.32.3-py3-none-any.whl#sha256=${sha('2')}" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=${sha('3')}" data-core-metadata="sha256=${sha('3')}">requests-2.32.3-py3-none-any.whl</a><br />
    <a href="https://files.pythonhosted.org/packages/63/70/2bf7/requests-2.32.0.tar.gz#sha256=${sha('4')}" data-requires-python="&gt;=3.8" data-yanked="Yanked due to conflicts with CVE-2024-35195 mitigation">requests-2.32.0.tar.gz</a><br />
  </body>
</html>
<!--SERIAL 23844385-->
`
    expect(parseHtmlPage(html, 'https://pypi.org/simple/requests/')).toEqual([
      {
        filename: 'requests-0.2.0.tar.gz',
        url: 'https://files.pythonhosted.org/packages/ba/bb/dfa0/requests-0.2.0.tar.gz',
        hashes: { sha256: sha('1') },
        yanked: false,
      },
      {
        filename: 'requests-2.32.3-py3-none-any.whl',
        url: 'https://files.pythonhosted.org/packages/f9/9b/335f/requests-2.32.3-py3-none-any.whl',
        hashes: { sha256: sha('2') },
        yanked: false,
        requiresPython: '>=3.8',
        coreMetadata: { sha256: sha('3') },
      },
      {
        filename: 'requests-2.32.0.tar.gz',
        url: 'https://files.pythonhosted.org/packages/63/70/2bf7/requests-2.32.0.tar.gz',
        hashes: { sha256: sha('4') },
        yanked: 'Yanked due to conflicts with CVE-2024-35195 mitigation',
        requiresPython: '>=3.8',
      },
    ])
  })

  it('resolves devpi and Artifactory links, relative to the page', () => {
    const devpi = `<!DOCTYPE html>
<html>
  <head><title>root/pypi: links for six</title></head>
  <body>
    <h1>root/pypi: links for six</h1>
    <a href="../../+f/8ab/c2e8b0d30d5cf/six-1.16.0-py2.py3-none-any.whl#sha256=${sha('a')}" data-requires-python="&gt;=2.7, !=3.0.*, !=3.1.*, !=3.2.*">six-1.16.0-py2.py3-none-any.whl</a><br/>
  </body>
</html>`
    expect(parseHtmlPage(devpi, 'http://devpi.example:3141/root/pypi/+simple/six/')).toEqual([
      {
        filename: 'six-1.16.0-py2.py3-none-any.whl',
        url: 'http://devpi.example:3141/root/pypi/+f/8ab/c2e8b0d30d5cf/six-1.16.0-py2.py3-none-any.whl',
        hashes: { sha256: sha('a') },
        yanked: false,
        requiresPython: '>=2.7, !=3.0.*, !=3.1.*, !=3.2.*',
      },
    ])
    const artifactory = `<html>
<head><meta name="pypi:repository-version" content="1.0"><title>Links for six</title></head>
<body><h1>Links for six</h1><a data-requires-python="&gt;=2.7, !=3.0.*" href="../../packages/packages/d9/5a/e7c3/six-1.16.0.tar.gz#sha256=${sha('b')}" rel="internal">six-1.16.0.tar.gz</a><br/>
</body></html>`
    expect(parseHtmlPage(artifactory, 'https://art.example/artifactory/api/pypi/pypi-remote/simple/six/')[0]).toMatchObject({
      url: 'https://art.example/artifactory/api/pypi/pypi-remote/packages/packages/d9/5a/e7c3/six-1.16.0.tar.gz',
      hashes: { sha256: sha('b') },
      requiresPython: '>=2.7, !=3.0.*',
    })
  })

  it('reads a `python -m http.server` listing and an Apache autoindex, skipping folders, sort links and the parent', () => {
    const listing = `<!DOCTYPE HTML>
<html lang="en">
<head>
<meta charset="utf-8">
<style type="text/css">
:root { color-scheme: light dark; }
</style>
<title>Directory listing for /pkg/</title>
</head>
<body>
<h1>Directory listing for /pkg/</h1>
<hr>
<ul>
<li><a href="pkg-1.0%2Blocal-py3-none-any.whl">pkg-1.0+local-py3-none-any.whl</a></li>
<li><a href="pkg-1.0.tar.gz">pkg-1.0.tar.gz</a></li>
<li><a href="old/">old/</a></li>
</ul>
<hr>
</body>
</html>
`
    expect(parseHtmlPage(listing, 'http://127.0.0.1:8000/pkg/').map((f) => [f.filename, f.url])).toEqual([
      ['pkg-1.0+local-py3-none-any.whl', 'http://127.0.0.1:8000/pkg/pkg-1.0%2Blocal-py3-none-any.whl'],
      ['pkg-1.0.tar.gz', 'http://127.0.0.1:8000/pkg/pkg-1.0.tar.gz'],
    ])
    const autoindex = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<HTML><HEAD><TITLE>Index of /simple/pkg</TITLE></HEAD><BODY>
<TABLE><TR><TH><A HREF="?C=N;O=D">Name</A></TH><TH><A HREF="?C=M;O=A">Last modified</A></TH></TR>
<TR><TD><A HREF="/simple/">Parent Directory</A></TD></TR>
<TR><TD><A HREF=pkg-2.0.zip>pkg-2.0.zip</A></TD><TD ALIGN=right>2024-01-01 10:00</TD></TR>
</TABLE></BODY></HTML>`
    expect(parseHtmlPage(autoindex, 'http://files.example/simple/pkg/').map((f) => f.url)).toEqual(['http://files.example/simple/pkg/pkg-2.0.zip'])
  })

  it("reads pip's own fixtures: single quotes, root-relative links, md5 fragments, data-yanked before href", () => {
    const datarequire = `<html><head><title>Links for fakepackage</title><meta name="api-version" value="2" /></head><body><h1>Links for fakepackage</h1>
    <a data-requires-python=''                href="/fakepackage-1.0.0.tar.gz#md5=${'0'.repeat(32)}" rel="internal">fakepackage-1.0.0.tar.gz</a><br/>
    <a data-requires-python='&gt;=2.7,&lt;3'  href="/fakepackage-2.7.0.tar.gz#md5=${'0'.repeat(32)}" rel="internal">fakepackage-2.7.0.tar.gz</a><br/>
</body></html>`
    expect(parseHtmlPage(datarequire, 'http://localhost/datarequire/fakepackage/')).toEqual([
      { filename: 'fakepackage-1.0.0.tar.gz', url: 'http://localhost/fakepackage-1.0.0.tar.gz', hashes: { md5: '0'.repeat(32) }, yanked: false },
      {
        filename: 'fakepackage-2.7.0.tar.gz',
        url: 'http://localhost/fakepackage-2.7.0.tar.gz',
        hashes: { md5: '0'.repeat(32) },
        yanked: false,
        requiresPython: '>=2.7,<3',
      },
    ])
    const yanked = `<html>
  <body>
    <a href="../../../packages/simple-1.0.tar.gz">simple-1.0.tar.gz</a>
    <a data-yanked="test reason message" href="../../../packages/simple-3.0.tar.gz">simple-3.0.tar.gz</a>
  </body>
</html>`
    expect(parseHtmlPage(yanked, 'http://localhost/indexes/yanked/simple/').map((f) => [f.url, f.yanked])).toEqual([
      ['http://localhost/packages/simple-1.0.tar.gz', false],
      ['http://localhost/packages/simple-3.0.tar.gz', 'test reason message'],
    ])
  })
})

describe('parseHtmlPage on markup regular expressions got wrong', () => {
  const PAGE = 'https://index.example/simple/pkg/'

  it('takes uppercase tags, unquoted and valueless attributes, entities in href, and ">" inside a quoted value', () => {
    const html = `<A HREF=pkg-1.0.tar.gz?x=1&amp;y=2#sha256=${'C'.repeat(64)} DATA-YANKED DATA-CORE-METADATA>a</A>
      <a href="pkg-2.0.tar.gz" data-yanked="use 2.1 &#8212; 2.0 &gt; 1.0 broke &quot;x&quot;" data-requires-python=">=3.9">b</a>`
    expect(parseHtmlPage(html, PAGE)).toEqual([
      { filename: 'pkg-1.0.tar.gz', url: `${PAGE}pkg-1.0.tar.gz?x=1&y=2`, hashes: { sha256: 'c'.repeat(64) }, yanked: true, coreMetadata: true },
      { filename: 'pkg-2.0.tar.gz', url: `${PAGE}pkg-2.0.tar.gz`, hashes: {}, yanked: 'use 2.1 \u2014 2.0 > 1.0 broke "x"', requiresPython: '>=3.9' },
    ])
  })

  it('ignores links inside comments and scripts, and keeps the first of a repeated attribute', () => {
    const html = `<!-- <a href="hidden-1.0.tar.gz">old</a> -->
      <script>document.write('<a href="script-1.0.tar.gz">x</a>')</script>
      <a href="first-1.0.tar.gz" href="second-1.0.tar.gz">f</a>`
    expect(parseHtmlPage(html, PAGE).map((f) => f.filename)).toEqual(['first-1.0.tar.gz'])
  })

  it('resolves against a relative <base href> wherever it stands, and ignores an unusable one', () => {
    const html = `<html><head><base href="/dl/"><base href="https://ignored.example/"></head>
      <body><a href="p-1.0.tar.gz">p</a></body></html>`
    expect(parseHtmlPage(html, PAGE)[0]!.url).toBe('https://index.example/dl/p-1.0.tar.gz')
    expect(parseHtmlPage('<a href="p-1.0.tar.gz">p</a><base href="http://[bad">', PAGE)[0]!.url).toBe(`${PAGE}p-1.0.tar.gz`)
  })

  it('takes data-core-metadata over data-dist-info-metadata and reads "true"; a file link left open still counts', () => {
    const html = `<ul><li><a href="m-1.0-py3-none-any.whl" data-dist-info-metadata="sha256=${sha('d')}" data-core-metadata="true">m</li></ul>`
    expect(parseHtmlPage(html, PAGE)).toEqual([
      { filename: 'm-1.0-py3-none-any.whl', url: `${PAGE}m-1.0-py3-none-any.whl`, hashes: {}, yanked: false, coreMetadata: true },
    ])
  })

  it('refuses a page announcing another major version (PEP 629) and accepts newer minor versions', () => {
    const page = (version: string) => `<meta name="pypi:repository-version" content="${version}"><a href="p-1.0.tar.gz">p</a>`
    expect(() => parseHtmlPage(page('2.0'), PAGE, 'simple page of p')).toThrow(
      expect.objectContaining({ code: 'E_UPSTREAM_GARBAGE', message: 'simple page of p: unsupported simple API version 2.0' }),
    )
    expect(parseHtmlPage(page('1.99'), PAGE)).toHaveLength(1)
    expect(parseHtmlPage(page('not a version'), PAGE)).toHaveLength(1)
  })
})

describe('readHtmlRoot', () => {
  it("lists the anchors' text: pypi.org's root, nested tags and entities, anchors left open, in chunks split anywhere", async () => {
    const html = `<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.1">
    <title>Simple index</title>
  </head>
  <body>
    <a href="/simple/0/">0</a>
    <a href="/simple/zope-interface/">zope.interface</a>
    <A HREF=/simple/nested/><b>Nested</b>_Name</A>
    <a href="/simple/amp/">a&amp;b</a>
    <a href="/simple/empty/"> </a>
    <ul><li><a href="/simple/open/">open-one</li></ul>
  </body>
</html>`
    const read = async (chunks: Iterable<string>) => {
      const sink = collectNames()
      await readHtmlRoot(chunks, sink)
      return sink.names
    }
    const expected = ['0', 'zope.interface', 'Nested_Name', 'a&b', 'open-one']
    expect(await read([html])).toEqual(expected)
    for (let at = 1; at < html.length; at++) expect(await read([html.slice(0, at), html.slice(at)]), `split at ${at}`).toEqual(expected)
    expect(await read(html)).toEqual(expected)
  })
})
