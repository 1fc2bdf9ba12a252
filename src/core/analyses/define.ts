/**
 * `defineAnalysis`: an analysis body typed from its params schema. Callers (the engine, tests)
 * pass the validated `Params` of a config (src/core/config checked them against the schema); the
 * wrapper reads them once into the typed record `ParamsOf<S>` with `typedParams` (a wrong kind is
 * a programming error and throws, naming the param), so the body reads each param as a typed
 * field (`tokens`, `rope`) with the compiler checking names and enum values: the method
 * registry's shape (`defineParams` / `typedParams`).
 */
import { typedParams } from '../methods/params';
import type { ParamSchema } from '../methods/types';
import type { AnalysisDef, AnalysisSpec } from './types';

export function defineAnalysis<S extends ParamSchema>(spec: AnalysisSpec<S>): AnalysisDef<S> {
  return {
    id: spec.id,
    label: spec.label,
    description: spec.description,
    reference: spec.reference,
    params: spec.params,
    cost: (params, shape, pipelines) => spec.cost(typedParams(spec.params, params), shape, pipelines),
    run: (input, options) => spec.run({ ...input, params: typedParams(spec.params, input.params) }, options),
  };
}
