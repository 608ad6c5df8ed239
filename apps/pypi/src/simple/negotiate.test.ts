import { describe, expect, it } from 'vitest'
import { HTML_V1_TYPE, JSON_TYPE, LEGACY_HTML_TYPE, negotiateFormat } from './negotiate.js'

describe('negotiateFormat', () => {
  it("picks JSON for pip's Accept header", () => {
    expect(negotiateFormat(`${JSON_TYPE}, ${HTML_V1_TYPE}; q=0.1, text/html; q=0.01`)).toBe(JSON_TYPE)
  })

  it('honours q values and wildcards', () => {
    expect(negotiateFormat(`${JSON_TYPE}; q=0.2, ${HTML_V1_TYPE}`)).toBe(HTML_V1_TYPE)
    expect(negotiateFormat('text/html,application/xhtml+xml,*/*;q=0.8')).toBe(LEGACY_HTML_TYPE)
    expect(negotiateFormat('*/*')).toBe(LEGACY_HTML_TYPE)
    expect(negotiateFormat('application/*')).toBe(HTML_V1_TYPE)
    expect(negotiateFormat(undefined)).toBe(LEGACY_HTML_TYPE)
  })

  it("accepts PEP 691's latest aliases as the v1 formats", () => {
    expect(negotiateFormat('application/vnd.pypi.simple.latest+json')).toBe(JSON_TYPE)
    expect(negotiateFormat('application/vnd.pypi.simple.latest+html')).toBe(HTML_V1_TYPE)
    expect(negotiateFormat('application/vnd.pypi.simple.latest+html, application/vnd.pypi.simple.latest+json; q=0.5')).toBe(HTML_V1_TYPE)
  })

  it('refuses with 406 when nothing fits', () => {
    expect(() => negotiateFormat('application/json')).toThrow(expect.objectContaining({ code: 'E_NOT_ACCEPTABLE' }))
    expect(() => negotiateFormat(`${JSON_TYPE}; q=0, text/*;q=0`)).toThrow(/acceptable/)
  })
})
