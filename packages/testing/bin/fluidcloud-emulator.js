#!/usr/bin/env node
// The `fluidcloud-emulator` bin: runs the built emulator server (src/bin/fluidcloud-emulator.ts).
// A committed file, so that installing the workspace before a build links the bin without a warning.
import "../dist/bin/fluidcloud-emulator.js"
