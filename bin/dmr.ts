#!/usr/bin/env node
import '../src/cli/heap-tuning.js';
import { main } from '../src/cli/main.js';
process.exit(await main(process.argv.slice(2)));
