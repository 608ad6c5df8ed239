import { describe, expect, it } from 'vitest'
import { LarderError } from '@larder/core'
import { parseGemspecYaml } from './gemspec.js'

const spec = (version: string, extra = '') => `--- !ruby/object:Gem::Specification
name: demo
version: !ruby/object:Gem::Version
  version: ${version}
platform: ruby
summary: demo
${extra}`

const refusal = (source: string): LarderError => {
  try {
    parseGemspecYaml(source)
  } catch (error) {
    return error as LarderError
  }
  throw new Error('expected parseGemspecYaml to refuse')
}

describe('parseGemspecYaml', () => {
  it('reads name, version and platform as strings', () => {
    expect(parseGemspecYaml(spec('1.10')).version).toBe('1.10')
    expect(parseGemspecYaml(spec('2.0.0.pre.rc1')).version).toBe('2.0.0.pre.rc1')
  })

  it("refuses a version with a '-' with a 400 that says why", () => {
    const error = refusal(spec('1.0-java'))
    expect(error).toBeInstanceOf(LarderError)
    expect(error.code).toBe('E_BAD_REQUEST')
    expect(error.message).toMatch(/version "1\.0-java" with a '-'/)
  })

  it('refuses an alias bomb with a 400, not a crash', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`)
    }
    const error = refusal(spec('1.0.0', `metadata:\n  ${levels.join('\n  ')}\n`))
    expect(error).toBeInstanceOf(LarderError)
    expect(error.code).toBe('E_BAD_REQUEST')
    expect(error.message).toMatch(/could not be read as YAML/)
  })
})
