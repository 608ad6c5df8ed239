#!/usr/bin/env node
// The `larder` command. A file of its own, committed, so npm links it at install time: npm links no bin whose
// file does not exist yet, and the TypeScript build writes dist/ only after `npm ci`.
try {
  await import('../dist/larder-cli.js')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('larder-cli.js')) throw error
  process.stderr.write('larder: not built yet; run `npm run build` (or `npm start` once) in the checkout first\n')
  process.exitCode = 2
}
