/**
 * The compute worker: a thin Comlink shell (DESIGN.md). All numbers come from src/engine and
 * src/core, exactly as in the CLI.
 */
import { expose } from 'comlink';
import { workerApi } from '../src/worker/worker-api';

expose(workerApi);
