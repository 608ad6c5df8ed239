/** The AWS SDK, loaded on first use: a Larder on the filesystem store never holds its ~15 MB of code. */
import { createRequire } from 'node:module'
import type * as S3Sdk from '@aws-sdk/client-s3'

const require = createRequire(import.meta.url)
let loaded: typeof S3Sdk | undefined

export function s3Sdk(): typeof S3Sdk {
  loaded ??= require('@aws-sdk/client-s3') as typeof S3Sdk
  return loaded
}
