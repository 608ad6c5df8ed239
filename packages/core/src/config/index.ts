/** Configuration: environment variables, validated eagerly. */
export * from './env-config.js'
export * from './trusted-proxies.js'
export * from './settings.js'
export * from './storage-config.js'
