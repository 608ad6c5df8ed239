/** The reference: a plain static file server (node:http + fs.createReadStream, Content-Length). `node static-server.mjs <root>` */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join, normalize } from 'node:path'
import { pipeline } from 'node:stream'

const root = process.argv[2]
if (!root) throw new Error('usage: node static-server.mjs <root directory>')

const server = createServer(async (req, res) => {
  const relative = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://reference.invalid').pathname))
  const path = join(root, relative)
  const info = relative.startsWith('..') ? undefined : await stat(path).catch(() => undefined)
  if (!info?.isFile()) return void res.writeHead(404, { 'content-length': 0 }).end()
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size })
  // A client that hangs up mid-body is not an error worth reporting here.
  pipeline(createReadStream(path), res, () => {})
})
// Node's 5 s default would drop idle keep-alive sockets between benchmark phases.
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port, msg: 'listening' })))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
