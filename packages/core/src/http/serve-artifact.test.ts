import { describe, expect, it } from 'vitest'
import { SAFE_ARTIFACT_CONTENT_TYPE, safeArtifactContentType } from './serve-artifact.js'

describe('safeArtifactContentType', () => {
  it('never lets a package file be served as something a browser renders or runs', () => {
    for (const active of [
      'text/html',
      'text/html; charset=utf-8',
      'application/xhtml+xml',
      'image/svg+xml',
      'text/xml',
      'application/javascript',
      'text/ecmascript',
      'multipart/x-mixed-replace',
    ]) {
      expect(safeArtifactContentType(active), active).toBe(SAFE_ARTIFACT_CONTENT_TYPE)
    }
  })

  it('keeps the types package files really have', () => {
    for (const type of ['application/octet-stream', 'application/gzip', 'application/zip', 'application/vnd.debian.binary-package', 'text/plain']) {
      expect(safeArtifactContentType(type)).toBe(type)
    }
  })
})
