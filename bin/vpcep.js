#!/usr/bin/env node
// The compiled CLI and server (`npm ci` builds dist/ through the `prepare` script; `npm run build` after a change).
import '../dist/main.js';
