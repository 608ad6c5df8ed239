/** An https front for a plain-http fixture, with a throwaway self-signed certificate (for "https upstreams work" tests). */
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { makeSelfSigned, makeTempDir } from '@larder/testkit'

export interface TlsFront {
  /** https://127.0.0.1:PORT */
  readonly url: string
  /** PEM file to trust (NODE_EXTRA_CA_CERTS). */
  readonly certPath: string
  stop(): Promise<void>
}

export async function startTlsFront(target: string): Promise<TlsFront> {
  const dir = await makeTempDir('larder-tls-')
  const { keyPath, certPath } = await makeSelfSigned({ dir: dir.path, subject: '/CN=127.0.0.1', altName: 'IP:127.0.0.1' })
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
