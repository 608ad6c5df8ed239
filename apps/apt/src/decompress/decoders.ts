/** One streaming decoder per compression found in .debs and Debian indexes; each does its work off the event loop, none is a child process. */
import type { Duplex } from 'node:stream'
import { createGunzip, createZstdDecompress } from 'node:zlib'
// @napi-rs/lzma: Node has no xz codec. Its decoder runs on a worker thread (the event loop only moves 64 kB
// chunks), is pure Rust (memory-safe on hostile uploads and upstream files), handles concatenated streams,
// ships prebuilt binaries (no build step), MIT, maintained by the napi-rs author. xz-decompress (WASM)
// decodes on the main thread: one 29 kB chunk of a 126 MB Packages.xz blocked the event loop for 1.4 s.
import { createDecompressStream as createXzDecompress } from '@napi-rs/lzma/xz'

export type Compression = 'gzip' | 'xz' | 'zstd' | 'none'

/** Enough leading bytes to tell every supported compression apart. */
export const MAGIC_LENGTH = 5

/** The compression of a file by its magic bytes. */
export function sniffCompression(bytes: Uint8Array): Compression {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip'
  if (bytes[0] === 0xfd && bytes[1] === 0x37 && bytes[2] === 0x7a && bytes[3] === 0x58 && bytes[4] === 0x5a) return 'xz'
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return 'zstd'
  return 'none'
}

/** A fresh decoder: compressed bytes in, unpacked bytes out (zlib's run on libuv's thread pool, xz on its own thread). */
export function createDecoder(compression: Exclude<Compression, 'none'>): Duplex {
  switch (compression) {
    case 'gzip':
      return createGunzip()
    case 'zstd':
      return createZstdDecompress()
    case 'xz':
      return createXzDecompress()
  }
}
