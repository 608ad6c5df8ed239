import { describe, expect, it } from 'vitest'
import { readOciSettings } from '../settings/oci-settings.js'
import { resolveTarget } from './upstream-target.js'

const settings = readOciSettings({ LARDER_OCI_UPSTREAMS: 'docker.io=https://registry-1.docker.io,ghcr.io=https://ghcr.io,hub=https://index.docker.io' })
const target = (name: string, ns?: string) => {
  const resolved = resolveTarget(name.split('/'), ns, settings)
  return resolved.kind === 'upstream' ? `${resolved.upstream} ${resolved.repo}` : `hosted ${resolved.repo}`
}

describe('resolveTarget', () => {
  it('reads the upstream from the first component, with library/ for official Docker Hub images', () => {
    expect(target('docker.io/debian')).toBe('docker.io library/debian')
    expect(target('docker.io/library/debian')).toBe('docker.io library/debian')
    expect(target('hub/debian')).toBe('hub library/debian')
    expect(target('ghcr.io/owner/tool')).toBe('ghcr.io owner/tool')
    expect(target('ghcr.io/tool')).toBe('ghcr.io tool')
  })

  it('in mirror mode uses ns=, else the default upstream', () => {
    expect(target('library/debian')).toBe('docker.io library/debian')
    expect(target('debian')).toBe('docker.io library/debian')
    expect(target('owner/tool', 'ghcr.io')).toBe('ghcr.io owner/tool')
    // A mirror's names belong to the registry ns= names, whatever their first component.
    expect(target('local/tool', 'docker.io')).toBe('docker.io local/tool')
    expect(target('ghcr.io/tool', 'docker.io')).toBe('docker.io ghcr.io/tool')
    expect(() => target('owner/tool', 'gcr.io')).toThrow(/ns=gcr.io is not a registry Larder mirrors/)
  })

  it('keeps the hosted name for Larder', () => {
    expect(target('local/team/app')).toBe('hosted team/app')
  })
})
