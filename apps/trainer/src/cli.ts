#!/usr/bin/env node
import { main } from './main.js';

const code = await main(process.argv.slice(2));
// The threaded wasm backend keeps worker threads alive; exit explicitly once the command is done.
process.exit(code);
