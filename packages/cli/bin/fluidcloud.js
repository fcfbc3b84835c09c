#!/usr/bin/env node
// The `fluidcloud` bin: runs the built CLI (src/bin/fluidcloud.ts). A committed file, so that
// installing the workspace before a build links the bin without a warning.
import "../dist/bin/fluidcloud.js"
