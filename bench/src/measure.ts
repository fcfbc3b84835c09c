/**
 * What every client process reports: a phase's wall time and CPU time (user + system, every
 * thread of the process), its peak RSS, and latency percentiles.
 */

/** The result line a child process prints (one JSON object). */
export interface UploadResult {
  readonly seconds: number
  readonly cpuSeconds: number
  readonly maxRssMiB: number
  readonly verified: boolean
}

/** Latencies of repeated calls, in milliseconds, and the CPU time each call cost the process. */
export interface LatencyResult {
  readonly p50: number
  readonly p90: number
  readonly mean: number
  readonly cpuPerCall: number
}

export const cpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/** Runs `f`, returning its wall and CPU seconds. */
export const phase = async <A>(f: () => Promise<A>): Promise<{ value: A; seconds: number; cpuSeconds: number }> => {
  const cpu0 = cpu()
  const t0 = performance.now()
  const value = await f()
  return { value, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpu() - cpu0 }
}

export const maxRssMiB = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10

export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN
}

export const latencies = (xs: ReadonlyArray<number>, cpuSeconds: number): LatencyResult => ({
  p50: percentile(xs, 0.5),
  p90: percentile(xs, 0.9),
  mean: xs.reduce((a, b) => a + b, 0) / xs.length,
  cpuPerCall: (cpuSeconds * 1000) / xs.length
})

/** Prints the result line and ends the process (keep-alive sockets would hold it open). */
export const report = (result: object): never => {
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}
