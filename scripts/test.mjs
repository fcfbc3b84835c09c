// Runs vitest (extra arguments are passed through), then prints one plain summary line
// `N passed, N failed` from vitest's JSON report, and exits with vitest's exit code.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const dir = mkdtempSync(join(tmpdir(), "fluidcloud-vitest-"))
const report = join(dir, "report.json")
// the workspace's own vitest, so the script also works outside `pnpm test`
const vitest = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".bin", "vitest")
const run = spawnSync(
  vitest,
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit", shell: false }
)
let passed = 0
let failed = 0
let skipped = 0
try {
  const json = JSON.parse(readFileSync(report, "utf8"))
  passed = json.numPassedTests
  // a failed test, plus a test file that failed without a failed test of its own (it did not load,
  // or failed outside its tests): counted once each
  const brokenFiles = (json.testResults ?? []).filter(
    (file) => file.status === "failed" && !(file.assertionResults ?? []).some((test) => test.status === "failed")
  ).length
  failed = json.numFailedTests + brokenFiles
  skipped = json.numPendingTests + json.numTodoTests
} catch {
  failed = Math.max(failed, 1)
}
rmSync(dir, { recursive: true, force: true })
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
process.exit(run.status ?? 1)
