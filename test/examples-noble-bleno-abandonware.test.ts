/** examples/abandonware-noble-secure-pairing.ts and examples/abandonware-bleno-secure-peripheral.ts (@abandonware/noble 1.9.2, @abandonware/bleno 0.6). */
import * as bleno from '../examples/abandonware-bleno-secure-peripheral.js';
import * as noble from '../examples/abandonware-noble-secure-pairing.js';
import { exampleSuites } from './examples-noble-bleno.js';

exampleSuites({
  noble: 'abandonware-noble-secure-pairing.ts',
  bleno: 'abandonware-bleno-secure-peripheral.ts',
  SECRET_CHARACTERISTIC: bleno.SECRET_CHARACTERISTIC,
  startSecurePeripheral: bleno.startSecurePeripheral,
  pairWithPeripheral: noble.pairWithPeripheral,
});
