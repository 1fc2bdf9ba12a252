/**
 * The compute worker: a thin Comlink shell (DESIGN.md). All numbers come from src/compute and
 * src/core, exactly as in the CLI.
 */
import { expose } from 'comlink';
import { workerApi } from '../src/compute/worker-api';

expose(workerApi);
