#!/usr/bin/env node
/**
 * The `ble-smp` executable: runs {@link main} on the process's arguments.
 * @module
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
