/** examples/noble-secure-pairing.ts and examples/bleno-secure-peripheral.ts (@stoprocent/noble 2.x, @stoprocent/bleno 0.12). */
import * as bleno from '../examples/bleno-secure-peripheral.js';
import * as noble from '../examples/noble-secure-pairing.js';
import { exampleSuites } from './examples-noble-bleno.js';

exampleSuites({
  noble: 'noble-secure-pairing.ts',
  bleno: 'bleno-secure-peripheral.ts',
  SECRET_CHARACTERISTIC: bleno.SECRET_CHARACTERISTIC,
  startSecurePeripheral: bleno.startSecurePeripheral,
  pairWithPeripheral: noble.pairWithPeripheral,
});
