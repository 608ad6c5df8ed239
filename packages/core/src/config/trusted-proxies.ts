/** Which peers may speak for the client in X-Forwarded-* headers: addresses and CIDR ranges (LARDER_TRUSTED_PROXIES). */
import { BlockList, isIP } from 'node:net'
import { LarderError } from '../errors/index.js'

export interface TrustedProxies {
  /** True when `address` (a socket's remoteAddress) is one of the trusted proxies. */
  trusts(address: string | undefined): boolean
}

/** Parses `127.0.0.1,10.0.0.0/8,::1,fd00::/8`; an empty list trusts nobody. */
export function parseTrustedProxies(name: string, text: string | undefined): TrustedProxies {
  const list = new BlockList()
  let count = 0
  for (const item of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [address = '', bits, extra] = item.split('/')
    const family = isIP(address)
    const prefix = bits === undefined ? undefined : Number(bits)
    const maxBits = family === 6 ? 128 : 32
    if (family === 0 || extra !== undefined || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= maxBits))) {
      throw new LarderError('E_INVALID_OPTION', `${name}: "${item}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)`)
    }
    const type = family === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, prefix, type)
    count++
  }
  return {
    trusts(address) {
      if (count === 0 || !address) return false
      // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d.
      const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
      const family = isIP(plain)
      return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4')
    },
  }
}

export const TRUST_NO_PROXY: TrustedProxies = { trusts: () => false }
