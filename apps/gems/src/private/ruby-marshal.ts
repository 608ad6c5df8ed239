/** A Ruby Marshal 4.8 writer for the few value kinds a Gem::Specification dump holds. */

/** A value to marshal: plain JS values map to Ruby's; the classes below carry Ruby class names. */
export type RubyValue = null | boolean | number | string | RubySymbol | RubyValue[] | RubyHash | RubyUserMarshal | RubyObject | RubyUserDefined

export class RubySymbol {
  constructor(readonly name: string) {}
}
/** A Hash with string keys (gem metadata). */
export class RubyHash {
  constructor(readonly entries: [RubyValue, RubyValue][]) {}
}
/** An object whose class defines marshal_dump/marshal_load (Gem::Version, Gem::Requirement): type 'U'. */
export class RubyUserMarshal {
  constructor(
    readonly className: string,
    readonly data: RubyValue,
  ) {}
}
/** A plain object dumped by its instance variables (Gem::Dependency): type 'o'. */
export class RubyObject {
  constructor(
    readonly className: string,
    readonly ivars: [string, RubyValue][],
  ) {}
}
/** An object whose class defines _dump/_load (Gem::Specification): type 'u' with the raw string. */
export class RubyUserDefined {
  constructor(
    readonly className: string,
    readonly bytes: Buffer,
  ) {}
}

export function marshalDump(value: RubyValue): Buffer {
  const out: number[] = [4, 8]
  write(out, value)
  return Buffer.from(out)
}

function writeLong(out: number[], n: number): void {
  if (!Number.isInteger(n) || n < -(2 ** 30) || n >= 2 ** 30) throw new RangeError(`cannot marshal ${n} as a Fixnum`)
  if (n === 0) return void out.push(0)
  if (n > 0 && n < 123) return void out.push(n + 5)
  if (n < 0 && n > -124) return void out.push((n - 5) & 0xff)
  const bytes: number[] = []
  let rest = n
  do {
    bytes.push(rest & 0xff)
    rest >>= 8
  } while (n > 0 ? rest !== 0 : rest !== -1)
  out.push(n > 0 ? bytes.length : 256 - bytes.length, ...bytes)
}

function writeBytes(out: number[], bytes: Uint8Array): void {
  writeLong(out, bytes.length)
  for (const byte of bytes) out.push(byte)
}

// Every symbol is written out in full: the reader accepts repeats, and we never need symlinks.
function writeSymbol(out: number[], name: string): void {
  out.push(0x3a)
  writeBytes(out, Buffer.from(name, 'utf8'))
}

function write(out: number[], value: RubyValue): void {
  if (value === null) return void out.push(0x30)
  if (value === true) return void out.push(0x54)
  if (value === false) return void out.push(0x46)
  if (typeof value === 'number') {
    out.push(0x69)
    return writeLong(out, value)
  }
  if (typeof value === 'string') {
    // 'I' + '"' + bytes, then one ivar: :E => true (the string is UTF-8).
    out.push(0x49, 0x22)
    writeBytes(out, Buffer.from(value, 'utf8'))
    writeLong(out, 1)
    writeSymbol(out, 'E')
    return void out.push(0x54)
  }
  if (Array.isArray(value)) {
    out.push(0x5b)
    writeLong(out, value.length)
    for (const item of value) write(out, item)
    return
  }
  if (value instanceof RubySymbol) return writeSymbol(out, value.name)
  if (value instanceof RubyHash) {
    out.push(0x7b)
    writeLong(out, value.entries.length)
    for (const [key, item] of value.entries) {
      write(out, key)
      write(out, item)
    }
    return
  }
  if (value instanceof RubyUserMarshal) {
    out.push(0x55)
    writeSymbol(out, value.className)
    return write(out, value.data)
  }
  if (value instanceof RubyObject) {
    out.push(0x6f)
    writeSymbol(out, value.className)
    writeLong(out, value.ivars.length)
    for (const [name, item] of value.ivars) {
      writeSymbol(out, name)
      write(out, item)
    }
    return
  }
  out.push(0x75)
  writeSymbol(out, value.className)
  writeBytes(out, value.bytes)
}
