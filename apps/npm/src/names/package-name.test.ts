import { describe, expect, it } from 'vitest'
import { encodePackageName, parsePackageName } from './package-name.js'

describe('parsePackageName', () => {
  it('accepts plain, scoped and legacy capitalised names', () => {
    expect(parsePackageName('left-pad')).toEqual({ full: 'left-pad', scope: undefined, bare: 'left-pad' })
    expect(parsePackageName('@types/node')).toEqual({ full: '@types/node', scope: 'types', bare: 'node' })
    expect(parsePackageName('JSONStream').bare).toBe('JSONStream')
    expect(encodePackageName(parsePackageName('@a/b'))).toBe('@a%2fb')
  })

  it.each(['', '..', '.hidden', '_under', 'a/b', '@scope', '@/x', '@s/../x', 'a b', 'a%2f..', 'x\u0000', 'node_modules', 'é', 'a'.repeat(215)])(
    'refuses %j with E_INVALID_NAME',
    (name) => {
      expect(() => parsePackageName(name)).toThrow(expect.objectContaining({ code: 'E_INVALID_NAME' }))
    },
  )
})
