import { describe, expect, it } from 'vitest'
import { DEFAULT_COMPOSER_UPSTREAM, readComposerSettings } from './composer-settings.js'

describe('Composer settings', () => {
  it('defaults to packagist, no private names, no dist tokens and any dist host', () => {
    const settings = readComposerSettings({})
    expect(settings.upstream).toBe(DEFAULT_COMPOSER_UPSTREAM)
    expect(settings.privateNames.has('acme/tool')).toBe(false)
    expect(settings.distTokens.size).toBe(0)
    expect(settings.distHosts).toBeUndefined()
  })

  it('reads each LARDER_COMPOSER_* variable once', () => {
    const settings = readComposerSettings({
      LARDER_COMPOSER_UPSTREAM: 'https://mirror.example/composer/',
      LARDER_COMPOSER_PRIVATE_NAMES: 'acme/*',
      LARDER_COMPOSER_DIST_TOKENS: 'code.example=t0ken',
      LARDER_COMPOSER_DIST_HOSTS: 'code.example',
    })
    expect(settings.upstream).toBe('https://mirror.example/composer')
    expect(settings.privateNames.has('acme/tool')).toBe(true)
    expect(settings.distTokens.get('code.example')).toBe('t0ken')
    expect([...(settings.distHosts ?? [])]).toEqual(['code.example'])
  })

  it('refuses a bad value with a message naming its variable', () => {
    expect(() => readComposerSettings({ LARDER_COMPOSER_UPSTREAM: 'ftp://x' })).toThrow(/LARDER_COMPOSER_UPSTREAM/)
    expect(() => readComposerSettings({ LARDER_COMPOSER_PRIVATE_NAMES: 'acme' })).toThrow(/LARDER_COMPOSER_PRIVATE_NAMES/)
    expect(() => readComposerSettings({ LARDER_COMPOSER_DIST_TOKENS: 'nohost' })).toThrow(/LARDER_COMPOSER_DIST_TOKENS/)
    expect(() => readComposerSettings({ LARDER_COMPOSER_DIST_HOSTS: 'https://a.com' })).toThrow(/LARDER_COMPOSER_DIST_HOSTS/)
  })
})
