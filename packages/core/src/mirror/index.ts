/** Mirrors as declarations: what each app says about itself, the shared edge, and the composition of a process. */
export * from './declaration.js'
export * from './mount-mirror.js'
export * from './compose-mirrors.js'
