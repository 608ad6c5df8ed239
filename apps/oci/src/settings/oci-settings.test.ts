import { describe, expect, it } from 'vitest'
import { readOciSettings } from './oci-settings.js'

describe('OCI settings', () => {
  it('mirrors Docker Hub, ghcr.io and quay.io by default, docker.io for mirror mode, local for hosted images', () => {
    const settings = readOciSettings({})
    expect(settings.upstreams).toEqual({ 'docker.io': 'https://registry-1.docker.io', 'ghcr.io': 'https://ghcr.io', 'quay.io': 'https://quay.io' })
    expect(settings.defaultUpstream).toBe('docker.io')
    expect(settings.hostedName).toBe('local')
    expect(settings.credentials).toEqual({})
    expect(settings.immutableTags).toBeUndefined()
    expect(settings.uploadExpiryMs).toBe(3600_000)
  })

  it('reads immutable tags as a pattern for whole tags, and the upload expiry', () => {
    const settings = readOciSettings({ LARDER_OCI_IMMUTABLE_TAGS: String.raw`v?\d+\.\d+\.\d+|stable`, LARDER_OCI_UPLOAD_EXPIRY_SECONDS: '90' })
    expect(['1.2.3', 'v10.0.1', 'stable'].filter(settings.immutableTags!)).toEqual(['1.2.3', 'v10.0.1', 'stable'])
    expect(['1.2', 'v1.2.3-rc1', 'dev-1.2.3', 'unstable', 'latest'].filter(settings.immutableTags!)).toEqual([])
    expect(settings.uploadExpiryMs).toBe(90_000)
    expect(readOciSettings({ LARDER_OCI_IMMUTABLE_TAGS: '  ' }).immutableTags).toBeUndefined()
  })

  it('reads logins per upstream, and never puts a secret in an error', () => {
    const env = { LARDER_OCI_UPSTREAMS: 'docker.io=https://registry-1.docker.io,my-reg=http://10.0.0.5:5000/' }
    const settings = readOciSettings({ ...env, LARDER_OCI_CREDENTIALS: 'docker.io=bob:dckr_pat_abc:def' })
    expect(settings.upstreams['my-reg']).toBe('http://10.0.0.5:5000')
    expect(settings.credentials['docker.io']).toEqual({ username: 'bob', secret: 'dckr_pat_abc:def' })
    for (const bad of ['docker.io=hunter2secret', 'hunter2secret', 'ghcr.io=bob:hunter2secret', 'docker.io=:hunter2secret']) {
      expect(() => readOciSettings({ ...env, LARDER_OCI_CREDENTIALS: bad })).toThrow(/LARDER_OCI_CREDENTIALS/)
      expect(() => readOciSettings({ ...env, LARDER_OCI_CREDENTIALS: bad })).not.toThrow(/hunter2/)
    }
  })

  it('names the variable of every setting it refuses', () => {
    expect(() => readOciSettings({ LARDER_OCI_UPSTREAMS: 'Docker=https://x' })).toThrow(/LARDER_OCI_UPSTREAMS/)
    expect(() => readOciSettings({ LARDER_OCI_UPSTREAMS: 'a..b=https://x' })).toThrow(/LARDER_OCI_UPSTREAMS: "a..b" cannot start an image name/)
    expect(() => readOciSettings({ LARDER_OCI_UPSTREAMS: 'x.io=ftp://x' })).toThrow(/LARDER_OCI_UPSTREAMS/)
    expect(() => readOciSettings({ LARDER_OCI_DEFAULT_UPSTREAM: 'gcr.io' })).toThrow(/LARDER_OCI_DEFAULT_UPSTREAM "gcr.io"/)
    expect(() => readOciSettings({ LARDER_OCI_HOSTED_NAME: 'docker.io' })).toThrow(/LARDER_OCI_HOSTED_NAME "docker.io" is also a name/)
    expect(() => readOciSettings({ LARDER_OCI_HOSTED_NAME: 'Local' })).toThrow(/LARDER_OCI_HOSTED_NAME/)
    expect(() => readOciSettings({ LARDER_OCI_IMMUTABLE_TAGS: 'v(1' })).toThrow(/LARDER_OCI_IMMUTABLE_TAGS is not a regular expression/)
    expect(() => readOciSettings({ LARDER_OCI_IMMUTABLE_TAGS: 'x'.repeat(2000) })).toThrow(/LARDER_OCI_IMMUTABLE_TAGS/)
    expect(() => readOciSettings({ LARDER_OCI_UPLOAD_EXPIRY_SECONDS: '0' })).toThrow(/LARDER_OCI_UPLOAD_EXPIRY_SECONDS/)
  })

  it('defaults mirror mode to the first upstream when docker.io is not configured', () => {
    expect(readOciSettings({ LARDER_OCI_UPSTREAMS: 'ghcr.io=https://ghcr.io' }).defaultUpstream).toBe('ghcr.io')
  })
})
