/** An https front for a plain-http fixture, with a throwaway self-signed certificate (for "https upstreams work" tests). */
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { makeTempDir, run } from '@larder/testkit'

export interface TlsFront {
  /** https://127.0.0.1:PORT */
  readonly url: string
  /** PEM file to trust (NODE_EXTRA_CA_CERTS). */
  readonly certPath: string
  stop(): Promise<void>
}

export async function startTlsFront(target: string): Promise<TlsFront> {
  const dir = await makeTempDir('larder-tls-')
  const certPath = join(dir.path, 'cert.pem')
  const keyPath = join(dir.path, 'key.pem')
  const made = await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ])
  if (made.code !== 0) throw new Error(`openssl failed: ${made.stderr}`)
  const server: Server = createServer({ key: await readFile(keyPath), cert: await readFile(certPath) }, (req, res) => {
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.once('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    certPath,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await dir.cleanup()
    },
  }
}
