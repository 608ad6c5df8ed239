import { describe, expect, it } from 'vitest'
import { parseInfo, renderInfoLine } from './info-file.js'

const SHA = 'a'.repeat(64)

describe('info lines', () => {
  it('renders like rubygems.org and reads back the checksum', () => {
    const line = renderInfoLine({
      version: '1.2.0',
      platform: 'x86_64-linux',
      dependencies: [{ name: 'rack', requirements: ['~> 2.0', '>= 2.0.1'] }],
      requiredRubyVersion: ['>= 2.7'],
      requiredRubygemsVersion: ['>= 0'],
      sha256: SHA,
    })
    expect(line).toBe(`1.2.0-x86_64-linux rack:>= 2.0.1&~> 2.0|checksum:${SHA},ruby:>= 2.7`)
    const parsed = parseInfo(`---\n${line}\n0.1.0 |checksum:${'b'.repeat(64)}\n`)
    expect(parsed.get('1.2.0-x86_64-linux')?.checksum).toBe(SHA)
    expect(parsed.get('0.1.0')?.checksum).toBe('b'.repeat(64))
    expect(parseInfo(`---\n2.0.0 |checksum:${'C'.repeat(64)}\n`).get('2.0.0')?.checksum).toBe('c'.repeat(64))
  })
})
