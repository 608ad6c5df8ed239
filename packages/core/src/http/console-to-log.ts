/** Sends console output of libraries (the Node adapter prints "The user aborted a request." with console.info) through pino, so stdout stays JSON. */
import { format } from 'node:util'
import type { Logger } from '../log/index.js'

export function routeConsoleToLog(logger: Logger): void {
  const to =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      logger[level]({ source: 'console' }, format(...args))
  console.debug = to('debug')
  console.log = to('info')
  console.info = to('info')
  console.warn = to('warn')
  console.error = to('error')
}
