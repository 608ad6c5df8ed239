/** Builds the undici dispatcher: a keep-alive Agent, or an EnvHttpProxyAgent when a proxy is configured. */
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici'

export interface ProxySettings {
  httpProxy: string
  httpsProxy: string
  noProxy: string
}

export interface DispatcherSettings {
  connectTimeoutMs: number
  headersTimeoutMs: number
  bodyTimeoutMs: number
  maxConnectionsPerOrigin: number
  env: Record<string, string | undefined>
}

/** Lower-case names win, as in curl and undici; empty values count as unset. */
export function readProxySettings(env: Record<string, string | undefined>): ProxySettings | undefined {
  const read = (name: string) => env[name.toLowerCase()] || env[name] || ''
  const settings = { httpProxy: read('HTTP_PROXY'), httpsProxy: read('HTTPS_PROXY'), noProxy: read('NO_PROXY') }
  return settings.httpProxy || settings.httpsProxy ? settings : undefined
}

export function createDispatcher(settings: DispatcherSettings): { dispatcher: Dispatcher; proxied: boolean } {
  const agentOptions = {
    connectTimeout: settings.connectTimeoutMs,
    headersTimeout: settings.headersTimeoutMs,
    bodyTimeout: settings.bodyTimeoutMs,
    connections: settings.maxConnectionsPerOrigin,
  }
  const proxy = readProxySettings(settings.env)
  if (!proxy) return { dispatcher: new Agent(agentOptions), proxied: false }
  // Values are passed explicitly (empty string = none) so undici never falls back to
  // process.env behind the back of a caller who gave its own `env`.
  // No `ca` anywhere: Node's default store already includes NODE_EXTRA_CA_CERTS.
  const dispatcher = new EnvHttpProxyAgent({
    ...agentOptions,
    ...proxy,
    // Plain-http targets go to the proxy as absolute-URI requests, which every forward proxy
    // understands; https targets are still tunnelled with CONNECT.
    proxyTunnel: false,
    proxyTls: { timeout: settings.connectTimeoutMs },
    requestTls: { timeout: settings.connectTimeoutMs },
  })
  return { dispatcher, proxied: true }
}
