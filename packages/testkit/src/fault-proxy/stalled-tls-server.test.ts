/** The stalled TLS server holds a real TLS client in its handshake until stop(). */
import { connect as tlsConnect } from 'node:tls'
import { describe, expect, it, onTestFinished } from 'vitest'
import { waitFor } from '../temp/wait-for.js'
import { startStalledTlsServer } from './stalled-tls-server.js'

describe('startStalledTlsServer', () => {
  it('takes the ClientHello and never answers it; stop() drops the connection', async () => {
    const server = await startStalledTlsServer()
    onTestFinished(() => server.stop())
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`)
    let secured = false
    let closed = false
    const socket = tlsConnect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false }, () => (secured = true))
    socket.on('error', () => {})
    socket.on('close', () => (closed = true))
    await waitFor(() => server.bytesReceived() > 0, { description: 'the ClientHello' })
    await new Promise((resolve) => setTimeout(resolve, 300)) // an absence can only be watched for a while
    expect(secured).toBe(false)
    expect([server.hitCount(), server.openConnections()]).toEqual([1, 1])
    await server.stop()
    await waitFor(() => closed, { description: 'the client seeing the close' })
    expect(server.openConnections()).toBe(0)
  })
})
