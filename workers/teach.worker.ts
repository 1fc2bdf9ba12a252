/** The teaching views' worker: a thin Comlink shell over src/worker/teach-api.ts. */
import { expose } from 'comlink';
import { teachApi } from '../src/worker/teach-api';

expose(teachApi);
