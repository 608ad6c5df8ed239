/** Serves a folder of files (APT archive trees) over HTTP like a plain web server: GET and HEAD, 404 for anything else. */
import { readFile } from 'node:fs/promises'
import { join, normalize } from 'node:path'
import { startFixtureServer, type FixtureServer } from '@larder/testkit'

export function startStaticServer(root: string): Promise<FixtureServer> {
  return startFixtureServer({
    handler: async (req, res) => {
      const relative = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://static.invalid').pathname)).replace(/^\/+/, '')
      const body = req.method === 'GET' || req.method === 'HEAD' ? await readFile(join(root, relative)).catch(() => undefined) : undefined
      if (relative.startsWith('..') || relative.includes('.staging') || !body)
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      res.end(req.method === 'HEAD' ? undefined : body)
    },
  })
}
