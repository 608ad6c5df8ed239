/** A TCP listener for https:// URLs that accepts connections, reads the TLS ClientHello and never answers it. */
import { createServer, type AddressInfo, type Socket } from 'node:net'

export interface StalledTlsServer {
  /** https://127.0.0.1:PORT: a client's handshake there never completes. */
  readonly url: string
  readonly port: number
  /** Connections accepted so far. */
  hitCount(): number
  /** Connections still open (the stall holds them until the client gives up or `stop()`). */
  openConnections(): number
  /** Bytes clients sent (their ClientHellos), never answered. */
  bytesReceived(): number
  /** Closes the listener and destroys every held connection. */
  stop(): Promise<void>
}

export async function startStalledTlsServer(): Promise<StalledTlsServer> {
  const sockets = new Set<Socket>()
  let hits = 0
  let received = 0
  const server = createServer((socket) => {
    hits += 1
    sockets.add(socket)
    socket.on('data', (chunk: Buffer) => (received += chunk.length))
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    hitCount: () => hits,
    openConnections: () => sockets.size,
    bytesReceived: () => received,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}
